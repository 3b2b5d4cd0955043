using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;
using Profiles.Contracts;
using Profiles.Contracts.Http;

namespace Profiles.Bench.Scenarios;

/// <summary>
/// Latency from a touchpoint's <c>200</c> to the matching server-sent event on the wire, and what
/// connect/disconnect churn leaves behind.
/// <list type="number">
/// <item>One touchpoint for each of <c>--live-subscribers</c> fresh customers (one e-mail each).</item>
/// <item>One <c>GET /v1/profiles/live</c> stream per customer, round-robin over the targets, read with .NET's
/// server-sent events parser.</item>
/// <item><c>--live-rounds</c> rounds at <c>--live-rate</c>/s (open loop): an idle customer gets one touchpoint,
/// posted to a node other than its subscriber's when there are several; latency = arrival of the first
/// <c>event: profile</c> whose <c>touchpoints</c> reaches the new count − arrival of the <c>200</c>
/// (Stopwatch timestamps; negative when the event overtakes the answer, reported as is). No event within
/// 5 s of the <c>200</c> = lost.</item>
/// <item><c>--live-churn</c> cycles on one customer's stream (open, read the first event, dispose), with the
/// first node's RSS before, after, and after a 5 s settle, and <c>profiles_live_subscribers</c> from
/// <c>GET /metrics</c> after the settle.</item>
/// </list>
/// </summary>
public static class LiveScenario
{
    private const string Phase = "live";
    private static readonly TimeSpan LostAfter = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(5);

    public static async Task RunAsync(BenchContext ctx, CancellationToken ct)
    {
        var o = ctx.Options;
        var targets = ctx.Writes.Targets;
        var n = o.LiveSubscribers;
        // Fresh customers on every run, even against nodes that already saw this seed.
        var nonce = (DateTime.UtcNow.Ticks / TimeSpan.TicksPerMillisecond % 100_000_000).ToString(CultureInfo.InvariantCulture);
        var prefix = $"bench-{o.Seed}-live{nonce}-";
        var emails = Enumerable.Range(0, n).Select(i => $"live.{o.Seed}.{nonce}.{i}@bench-live.example").ToArray();
        Uri SubscriberNode(int c) => targets[c % targets.Count];
        Uri WriterNode(int c) => targets[(c + (targets.Count > 1 ? 1 : 0)) % targets.Count];
        TouchpointSpec Spec(int c, int k) => new()
        {
            Id = $"{prefix}{c}-{k}",
            OccurredAt = ctx.Anchor - TimeSpan.FromSeconds(k),
            Channel = "web", Type = k == 0 ? "login" : "page_view",
            Identifiers = [new IdentifierInput("email", emails[c])],
        };

        // 1. One touchpoint per customer.
        var seed = Enumerable.Range(0, n).Select(c => Spec(c, 0)).ToArray();
        var setup = await Replayer.ReplayAsync(ctx.Writes, seed, 0, seed.Length, Math.Min(100, o.BatchSizes[0]), o.Writers, _ => { }, ct).ConfigureAwait(false);
        if (setup.Accepted != n)
        {
            ctx.Report.Problem($"{Phase}: setting up {n} customers: {setup.Accepted} accepted, {setup.Duplicate} duplicate, {setup.Rejected} rejected, {setup.FailedRequests} failed; {string.Join("; ", setup.Errors.Take(3))}");
            ctx.Failed = true;
        }

        using var sse = NewSseClient();

        // 2. One stream per customer.
        Ui.Info($"{Phase}: opening {n} SSE subscribers on {targets.Count} node(s)");
        var subs = new SseSubscriber[n];
        await Task.WhenAll(Enumerable.Range(0, n).Select(async c =>
        {
            subs[c] = await SseSubscriber.OpenAsync(sse, SubscriberNode(c), LivePath(emails[c]), ct).ConfigureAwait(false);
        })).ConfigureAwait(false);
        var firstWait = Task.WhenAll(subs.Select(s => s.FirstEvent));
        if (await Task.WhenAny(firstWait, Task.Delay(TimeSpan.FromSeconds(10), ct)).ConfigureAwait(false) != firstWait)
            ctx.Report.Problem($"{Phase}: {subs.Count(s => !s.FirstEvent.IsCompleted)} of {n} subscribers had no first event after 10 s");
        var wrongFirst = subs.Count(s => s.FirstEvent.IsCompleted && s.LastCount != 1);
        if (wrongFirst > 0)
            ctx.Report.Problem($"{Phase}: {wrongFirst} of {n} subscribers' first event did not show the 1 touchpoint ingested before (e.g. {subs.First(s => s.FirstEvent.IsCompleted && s.LastCount != 1).LastCount})");
        var (openGauge, _) = await LiveSubscribersAsync(ctx.Reads, targets, ct).ConfigureAwait(false);

        // 3. Timed rounds.
        var rounds = await RoundsAsync(ctx, subs, Spec, WriterNode, ct).ConfigureAwait(false);
        foreach (var s in subs) await s.DisposeAsync().ConfigureAwait(false);
        var streamErrors = subs.Where(s => s.Error is not null).Select(s => s.Error!).ToList();
        foreach (var e in streamErrors.Take(5)) ctx.Report.Problem($"{Phase}: a subscriber's stream ended: {e}");

        var lat = rounds.Latency.Summarise();
        var post = rounds.Post.Summarise();
        var fromSend = rounds.FromSend.Summarise();
        var where = targets.Count > 1 ? $"writer and subscriber on different nodes ({targets.Count})" : "one node";
        ctx.Report.Add(Phase, $"live latency p50 ({n} subscribers)", lat.P50, "ms",
            note: $"200 → event on the wire; {lat.Count:N0} events at {o.LiveRate}/s; {where}; POST p50 {post.P50:0.###} ms; POST sent → event p50 {fromSend.P50:0.###} ms");
        ctx.Report.Add(Phase, $"live latency p99 ({n} subscribers)", lat.P99, "ms",
            note: $"min {rounds.Min:0.###} ms; {rounds.Negative} events arrived before their 200; POST p99 {post.P99:0.###} ms; POST sent → event p99 {fromSend.P99:0.###} ms");
        ctx.Report.Add(Phase, $"live latency max ({n} subscribers)", lat.Max, "ms",
            note: $"pacer lag p99 {rounds.PacerLag.Summarise().P99:0.###} ms");
        ctx.Report.Add(Phase, "live events lost", rounds.Lost, "", target: "0", met: rounds.Lost == 0,
            note: $"no event within {LostAfter.TotalSeconds:0} s of the 200; {rounds.Issued:N0} rounds, {rounds.Posted:N0} posted, {rounds.PostFailed} POST failures, {rounds.Skipped} skipped (no idle customer); gauge with {n} open: {Gauge(openGauge)}");
        if (rounds.Lost > 0 || rounds.PostFailed > 0 || streamErrors.Count > 0) ctx.Failed = true;
        foreach (var e in rounds.Errors.Take(10)) ctx.Report.Problem($"{Phase}: {e}");

        // 4. Churn on customer 0's stream on the first node.
        await ChurnAsync(ctx, sse, targets[0], LivePath(emails[0]), ct).ConfigureAwait(false);
    }

    private static string LivePath(string email) => ApiPaths.Live(new IdentifierInput("email", email));

    private static string Gauge(double? v) => v is { } x ? x.ToString("0.##", CultureInfo.InvariantCulture) : "n/a";

    private static HttpClient NewSseClient() => new(new SocketsHttpHandler
    {
        UseProxy = false,
        UseCookies = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        // A disposed stream closes its connection at once instead of being drained for a while.
        MaxResponseDrainSize = 0,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
    })
    { Timeout = Timeout.InfiniteTimeSpan };

    private sealed class RoundStats
    {
        public long Issued;
        public long Posted;
        public long PostFailed;
        public long Lost;
        public long Skipped;
        public long Negative;
        public double Min = double.NaN;
        public LatencyRecorder Latency { get; } = new();
        public LatencyRecorder Post { get; } = new();
        /// <summary>From the moment the POST was handed to HttpClient to the event: the whole write-to-screen path.</summary>
        public LatencyRecorder FromSend { get; } = new();
        public LatencyRecorder PacerLag { get; } = new();
        public List<string> Errors { get; } = [];

        public void Error(string e)
        {
            lock (Errors) if (Errors.Count < 20) Errors.Add(e);
        }
    }

    private static async Task<RoundStats> RoundsAsync(BenchContext ctx, SseSubscriber[] subs, Func<int, int, TouchpointSpec> spec,
        Func<int, Uri> writerNode, CancellationToken ct)
    {
        var o = ctx.Options;
        var stats = new RoundStats();
        var n = subs.Length;
        var counts = new long[n];
        Array.Fill(counts, 1);
        var busy = new bool[n];
        var retired = new bool[n];
        var rng = new Random(o.Seed);
        var gate = new object();
        var tasks = new List<Task>(o.LiveRounds);
        var total = o.LiveRounds;
        if (total == 0) return stats;

        int? Pick()
        {
            lock (gate)
            {
                var start = rng.Next(n);
                for (var i = 0; i < n; i++)
                {
                    var c = (start + i) % n;
                    if (!busy[c] && !retired[c]) { busy[c] = true; return c; }
                }
                return null;
            }
        }

        async Task RoundAsync(int k, long intended)
        {
            stats.PacerLag.Record(Stopwatch.GetTimestamp() - intended);
            if (Pick() is not { } c) { Interlocked.Increment(ref stats.Skipped); return; }
            var sub = subs[c];
            var expected = counts[c] + 1;
            var arrival = sub.Expect(expected);
            var body = new TouchpointJson().WriteBatch([spec(c, k + 1)], 0, 1);
            var t0 = Stopwatch.GetTimestamp();
            string? notAccepted;
            try
            {
                var answer = await ctx.Writes.On(writerNode(c)).IngestAsync(body, ct).ConfigureAwait(false);
                notAccepted = !answer.Succeeded ? ProfileReport.Refusal(answer)
                    : answer.Value is [{ Status: TouchpointResult.Accepted }] ? null
                    : string.Join(", ", answer.Value.Select(r => $"{r.Status} {r.Error}"));
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException or JsonException && !ct.IsCancellationRequested)
            {
                notAccepted = $"{e.GetType().Name}: {e.Message}";
            }
            var ok = Stopwatch.GetTimestamp();
            if (notAccepted is not null)
            {
                Interlocked.Increment(ref stats.PostFailed);
                stats.Error($"round {k}: touchpoint not accepted: {notAccepted}");
                lock (gate) retired[c] = true; // its count is unknown from now on
                return;
            }
            Interlocked.Increment(ref stats.Posted);
            stats.Post.Record(ok - t0);
            counts[c] = expected;
            var timeout = Task.Delay(LostAfter, ct);
            if (await Task.WhenAny(arrival, timeout).ConfigureAwait(false) == arrival)
            {
                var ticks = arrival.Result - ok;
                stats.Latency.Record(ticks);
                stats.FromSend.Record(arrival.Result - t0);
                var ms = ticks * 1000.0 / Stopwatch.Frequency;
                lock (gate)
                {
                    if (ticks < 0) stats.Negative++;
                    if (double.IsNaN(stats.Min) || ms < stats.Min) stats.Min = ms;
                }
            }
            else
            {
                Interlocked.Increment(ref stats.Lost);
                stats.Error($"round {k}: customer {c} (subscriber on {sub.Target}) got no event with touchpoints >= {expected} within {LostAfter.TotalSeconds:0} s; last seen {sub.LastCount}");
            }
            lock (gate) busy[c] = false;
        }

        await Ui.WithProgress($"{Phase}: {total:N0} touchpoints at {o.LiveRate}/s, {n} subscribers", total, async progress =>
        {
            // Open loop: round k is due at t0 + k/rate whatever the previous ones are doing; a dedicated
            // thread paces them (Thread.Sleep(1) between checks), away from the pool that reads the streams.
            await Task.Factory.StartNew(() =>
            {
                var t0 = Stopwatch.GetTimestamp();
                var ticksPerRound = Stopwatch.Frequency / (double)o.LiveRate;
                for (var k = 0; k < total && !ct.IsCancellationRequested; k++)
                {
                    var intended = t0 + (long)(k * ticksPerRound);
                    while (Stopwatch.GetTimestamp() < intended) Thread.Sleep(1);
                    Interlocked.Increment(ref stats.Issued);
                    var kk = k;
                    tasks.Add(Task.Run(() => RoundAsync(kk, intended), CancellationToken.None).ContinueWith(_ => progress(1), TaskScheduler.Default));
                }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
            await Task.WhenAll(tasks).ConfigureAwait(false);
            return 0;
        }).ConfigureAwait(false);
        return stats;
    }

    private static async Task ChurnAsync(BenchContext ctx, HttpClient sse, Uri target, string path, CancellationToken ct)
    {
        var o = ctx.Options;
        int? pid = o.NodePids.Count > 0 ? o.NodePids[0] : null;
        long? Rss() => pid is { } p ? ProcStats.RssKiB(p) : null;
        var pidNote = pid is { } pp ? $"pid {pp} ({target})" : "no --node-pid";

        // The latency phase's streams were just closed: let the node see them go first.
        await Task.Delay(TimeSpan.FromSeconds(1), ct).ConfigureAwait(false);
        var before = Rss();
        var failures = 0;
        string? firstFailure = null;
        var t0 = Stopwatch.GetTimestamp();
        await Ui.WithProgress($"{Phase}: {o.LiveChurn:N0} connect/disconnect cycles", o.LiveChurn, async progress =>
        {
            for (var i = 0; i < o.LiveChurn; i++)
            {
                ct.ThrowIfCancellationRequested();
                try
                {
                    await using var sub = await SseSubscriber.OpenAsync(sse, target, path, ct).ConfigureAwait(false);
                    if (await Task.WhenAny(sub.FirstEvent, Task.Delay(LostAfter, ct)).ConfigureAwait(false) != sub.FirstEvent)
                        throw new IOException($"no first event within {LostAfter.TotalSeconds:0} s" + (sub.Error is null ? "" : $": {sub.Error}"));
                }
                catch (Exception e) when (e is HttpRequestException or IOException && !ct.IsCancellationRequested)
                {
                    failures++;
                    firstFailure ??= e.Message;
                }
                progress(1);
            }
            return 0;
        }).ConfigureAwait(false);
        var seconds = Clock.Seconds(t0);
        var after = Rss();
        await Task.Delay(Settle, ct).ConfigureAwait(false);
        var settled = Rss();
        var (gauge, perNode) = await LiveSubscribersAsync(ctx.Reads, ctx.Reads.Targets, ct).ConfigureAwait(false);

        ctx.Report.Add(Phase, "churn node RSS before", before / 1024.0, "MiB", note: pidNote);
        ctx.Report.Add(Phase, $"churn node RSS after {o.LiveChurn:N0} cycles", after / 1024.0, "MiB",
            note: $"{o.LiveChurn / Math.Max(seconds, 1e-9):0} cycles/s (open, first event, dispose); {failures} failed" + (firstFailure is null ? "" : $": {firstFailure}")
                  + (after is { } a && before is { } b ? $"; {(a - b) / 1024.0:+0.#;-0.#;0} MiB" : ""));
        ctx.Report.Add(Phase, $"churn node RSS settled ({Settle.TotalSeconds:0} s)", settled / 1024.0, "MiB",
            note: settled is { } s && before is { } b2 ? $"{(s - b2) / 1024.0:+0.#;-0.#;0} MiB against before" : null);
        ctx.Report.Add(Phase, "live subscribers after churn", gauge, "", target: "0", met: gauge == 0,
            note: gauge is null ? "n/a: no profiles_live_subscribers line in GET /metrics" : $"profiles_live_subscribers after the settle; {perNode}");
        if (failures > 0)
        {
            ctx.Report.Problem($"{Phase}: {failures} of {o.LiveChurn} churn cycles failed: {firstFailure}");
            ctx.Failed = true;
        }
        if (gauge is > 0) ctx.Failed = true;
    }

    /// <summary>Sum over the nodes of the last number on the line starting with <c>profiles_live_subscribers</c>
    /// in GET /metrics; null when no node has it.</summary>
    private static async Task<(double? Total, string PerNode)> LiveSubscribersAsync(Nodes nodes, IReadOnlyList<Uri> targets, CancellationToken ct)
    {
        double? total = null;
        var parts = new List<string>();
        foreach (var target in targets)
        {
            double? value = null;
            try
            {
                if (await nodes.MetricsAsync(target, ct).ConfigureAwait(false) is { } body)
                    foreach (var raw in body.AsSpan().EnumerateLines())
                    {
                        var line = raw.Trim();
                        if (!line.StartsWith("profiles_live_subscribers", StringComparison.Ordinal)) continue;
                        var sp = line.LastIndexOf(' ');
                        if (double.TryParse(line[(sp + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var v)) value = (value ?? 0) + v;
                    }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
            parts.Add($"{target.Authority}: {Gauge(value)}");
            if (value is { } x) total = (total ?? 0) + x;
        }
        return (total, string.Join(", ", parts));
    }
}

/// <summary>
/// One <c>GET /v1/profiles/live</c> stream read with HttpClient (headers first, then the body as it comes) and
/// .NET's <see cref="SseParser"/>, which skips the heartbeat comments. Every <c>event: profile</c> updates the
/// last <c>touchpoints</c> count seen and completes the waits it reaches with the Stopwatch timestamp of its
/// arrival.
/// </summary>
public sealed class SseSubscriber : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly List<(long Expected, TaskCompletionSource<long> Arrival)> _waits = [];
    private readonly TaskCompletionSource<long> _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private HttpResponseMessage? _response;
    private Task _loop = Task.CompletedTask;
    private long _lastCount = -1;
    private volatile bool _closing;

    private SseSubscriber(Uri target) => Target = target;

    public Uri Target { get; }
    public string? Error { get; private set; }

    /// <summary>Timestamp of the first event.</summary>
    public Task<long> FirstEvent => _first.Task;

    public long LastCount { get { lock (_gate) return _lastCount; } }

    public static async Task<SseSubscriber> OpenAsync(HttpClient http, Uri target, string path, CancellationToken ct)
    {
        var sub = new SseSubscriber(target);
        using var req = new HttpRequestMessage(HttpMethod.Get, new Uri(target, path));
        req.Headers.Accept.ParseAdd("text/event-stream");
        var resp = await http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        if (resp.StatusCode != HttpStatusCode.OK)
        {
            var body = await resp.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            resp.Dispose();
            throw new HttpRequestException($"GET {path} answered {(int)resp.StatusCode}: {body.ReplaceLineEndings(" ")[..Math.Min(body.Length, 200)]}");
        }
        sub._response = resp;
        var stream = await resp.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        sub._loop = Task.Run(() => sub.ReadAsync(stream), CancellationToken.None);
        return sub;
    }

    /// <summary>Completes with the arrival timestamp of the first profile event whose touchpoints reach
    /// <paramref name="expected"/> (at once when the last one already did).</summary>
    public Task<long> Expect(long expected)
    {
        var tcs = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_lastCount >= expected) tcs.SetResult(_lastArrival);
            else _waits.Add((expected, tcs));
        }
        return tcs.Task;
    }

    private long _lastArrival;

    private async Task ReadAsync(Stream stream)
    {
        try
        {
            await foreach (var item in SseParser.Create(stream).EnumerateAsync(_stop.Token).ConfigureAwait(false))
                Dispatch(item.EventType, item.Data, Stopwatch.GetTimestamp());
            if (!_closing) Error = $"{Target}: the stream ended";
        }
        catch (Exception e) when (_closing && e is OperationCanceledException or IOException or ObjectDisposedException or HttpRequestException)
        {
        }
        catch (Exception e)
        {
            Error = $"{Target}: {e.GetType().Name}: {e.Message}";
        }
        finally
        {
            _first.TrySetException(new IOException(Error ?? "closed before the first event"));
        }
    }

    private void Dispatch(string evt, string data, long arrival)
    {
        if (evt == "profile")
        {
            var count = Touchpoints(data);
            List<TaskCompletionSource<long>>? done = null;
            lock (_gate)
            {
                if (count > _lastCount) { _lastCount = count; _lastArrival = arrival; }
                for (var i = _waits.Count - 1; i >= 0; i--)
                    if (_waits[i].Expected <= count)
                    {
                        (done ??= []).Add(_waits[i].Arrival);
                        _waits.RemoveAt(i);
                    }
            }
            if (done is not null) foreach (var d in done) d.TrySetResult(arrival);
        }
        _first.TrySetResult(arrival);
    }

    /// <summary>The top-level <c>touchpoints</c> of a profile JSON (0 for <c>{}</c> or anything unreadable).</summary>
    private static long Touchpoints(string json)
    {
        try
        {
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals("touchpoints"u8))
                {
                    reader.Read();
                    return reader.TokenType == JsonTokenType.Number ? reader.GetInt64() : 0;
                }
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && reader.CurrentDepth >= 1) reader.Skip();
            }
        }
        catch (JsonException) { }
        return 0;
    }

    public async ValueTask DisposeAsync()
    {
        _closing = true;
        await _stop.CancelAsync().ConfigureAwait(false);
        _response?.Dispose();
        try { await _loop.ConfigureAwait(false); }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException) { }
        _stop.Dispose();
    }
}
