using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Profiles.Client;
using Profiles.Contracts;

namespace Profiles.Bench.Scenarios;

/// <summary>
/// The .NET client (<c>Profiles.Client</c>) against the HTTP API in the same run.
/// <list type="number">
/// <item>One touchpoint (an e-mail) for each of <c>--client-watchers</c> fresh customers, over HTTP.</item>
/// <item><c>--client-lookups</c> lookups of those e-mails through the client and as many over HTTP (the response
/// parsed, as a storefront would), interleaved pair by pair, one at a time (the path's own latency, not a queue), both on the same node.</item>
/// <item>One <c>WatchAsync</c> per customer; then <c>--client-rounds</c> touchpoints posted over HTTP to the first node
/// while the client is connected to the last node's gateway only (writer and watcher on different nodes when there
/// are several), 8 at a time: latency = the watch yielding the new count − the <c>200</c>. None within 5 s = lost.</item>
/// </list>
/// </summary>
public static class ClientScenario
{
    private const string Phase = "client";
    private const int WatchWorkers = 8;
    private static readonly TimeSpan LostAfter = TimeSpan.FromSeconds(5);

    public static async Task RunAsync(BenchContext ctx, CancellationToken ct)
    {
        var o = ctx.Options;
        if (o.Gateways.Count == 0)
        {
            ctx.Report.Problem($"{Phase}: no --gateway given (bench/run.sh passes every node's)");
            ctx.Failed = true;
            return;
        }
        var targets = ctx.Writes.Targets;
        var (writer, reader) = (targets[0], targets[^1]);
        var nonce = (DateTime.UtcNow.Ticks / TimeSpan.TicksPerMillisecond % 100_000_000).ToString(CultureInfo.InvariantCulture);
        var emails = Enumerable.Range(0, o.ClientWatchers).Select(i => $"client.{o.Seed}.{nonce}.{i}@bench-client.example").ToArray();
        TouchpointSpec Spec(int c, int k) => new()
        {
            Id = $"bench-{o.Seed}-client{nonce}-c{c}-{k}", OccurredAt = ctx.Anchor - TimeSpan.FromSeconds(k),
            Channel = "web", Type = k == 0 ? "login" : "page_view", Identifiers = [new IdentifierInput("email", emails[c])],
        };

        var setup = await Replayer.ReplayAsync(ctx.Writes, [.. emails.Select((_, c) => Spec(c, 0))], 0, emails.Length, 100, o.Writers, _ => { }, ct);
        if (setup.Accepted != emails.Length)
        {
            ctx.Report.Problem($"{Phase}: setting up {emails.Length} customers: {setup.Accepted} accepted; {string.Join("; ", setup.Errors.Take(3))}");
            ctx.Failed = true;
            return;
        }

        using var host = await StartClientAsync(o.ClusterId, o.Gateways[^1], ct);
        var profiles = host.Services.GetRequiredService<IProfilesClient>();
        await CompareLookupsAsync(ctx, profiles, emails, reader, ct);
        await WatchRoundsAsync(ctx, profiles, emails, Spec, writer, targets.Count > 1, ct);
        await host.StopAsync(CancellationToken.None);
    }

    private static async Task<IHost> StartClientAsync(string clusterId, string gateway, CancellationToken ct)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddProfilesClient(c => (c.Gateways, c.ClusterId) = ([gateway], clusterId));
        var host = builder.Build();
        await host.StartAsync(ct);
        return host;
    }

    private static async Task CompareLookupsAsync(BenchContext ctx, IProfilesClient profiles, string[] emails, Uri node, CancellationToken ct)
    {
        var o = ctx.Options;
        var viaClient = new LatencyRecorder();
        var viaHttp = new LatencyRecorder();
        var misses = 0;
        for (var i = 0; i < o.ClientLookups; i++)
        {
            var email = emails[i % emails.Length];
            // Alternate which goes first, so neither always finds the other's work in the node's caches.
            for (var turn = 0; turn < 2; turn++)
            {
                var start = Stopwatch.GetTimestamp();
                if ((turn + i) % 2 == 0)
                {
                    var profile = await profiles.LookupAsync("email", email, ct);
                    viaClient.RecordSince(start);
                    if (profile?.Touchpoints is not >= 1) misses++;
                }
                else
                {
                    var answer = await ctx.Reads.On(node).LookupAsync(new IdentifierInput("email", email), ct);
                    viaHttp.RecordSince(start);
                    if (!answer.Succeeded) misses++;
                }
            }
        }
        var (c, h) = (viaClient.Summarise(), viaHttp.Summarise());
        var note = $"{c.Count:N0} lookups each, one at a time, same node; HTTP: GET + JSON parse";
        ctx.Report.Add(Phase, "lookup p50 via Profiles.Client", c.P50, "ms", note: note);
        ctx.Report.Add(Phase, "lookup p50 via HTTP", h.P50, "ms", note: note);
        ctx.Report.Add(Phase, "lookup p99 via Profiles.Client", c.P99, "ms", note: $"max {c.Max:0.###} ms");
        ctx.Report.Add(Phase, "lookup p99 via HTTP", h.P99, "ms", note: $"max {h.Max:0.###} ms");
        if (misses > 0)
        {
            ctx.Report.Problem($"{Phase}: {misses} lookups did not find their customer");
            ctx.Failed = true;
        }
    }

    private static async Task WatchRoundsAsync(BenchContext ctx, IProfilesClient profiles, string[] emails, Func<int, int, TouchpointSpec> spec,
        Uri writer, bool apart, CancellationToken ct)
    {
        var o = ctx.Options;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var watchers = emails.Select(email => new Watcher(profiles, email, stop.Token)).ToArray();
        await Task.WhenAll(watchers.Select(w => w.SeenAsync(1)));

        var latency = new LatencyRecorder();
        var lost = 0;
        var failed = 0;
        var next = -1;
        await Ui.WithProgress($"{Phase}: {o.ClientRounds:N0} touchpoints, {watchers.Length} client watches", o.ClientRounds, async progress =>
        {
            await Task.WhenAll(Enumerable.Range(0, WatchWorkers).Select(async worker =>
            {
                // Each worker owns the customers c ≡ worker (mod WatchWorkers), so no two rounds wait on one watch.
                var mine = Enumerable.Range(0, watchers.Length).Where(c => c % WatchWorkers == worker).ToArray();
                var counts = new long[watchers.Length];
                Array.Fill(counts, 1);
                for (var round = 0; Interlocked.Increment(ref next) < o.ClientRounds; round++)
                {
                    var c = mine[round % mine.Length];
                    var expected = ++counts[c];
                    var sight = watchers[c].SeenAsync(expected);
                    var body = new TouchpointJson().WriteBatch([spec(c, (int)expected - 1)], 0, 1);
                    var answer = await ctx.Writes.On(writer).IngestAsync(body, ct);
                    var ok = Stopwatch.GetTimestamp();
                    if (!answer.Succeeded || answer.Value is not [{ Status: TouchpointResult.Accepted }])
                    {
                        Interlocked.Increment(ref failed);
                        break;
                    }
                    if (await Task.WhenAny(sight, Task.Delay(LostAfter, ct)) == sight) latency.Record(sight.Result - ok);
                    else Interlocked.Increment(ref lost);
                    progress(1);
                }
            }));
            return true;
        });
        await stop.CancelAsync();
        await Task.WhenAll(watchers.Select(w => w.Pump));

        var s = latency.Summarise();
        var where = apart ? "writer (HTTP) and client watcher on different nodes" : "one node";
        ctx.Report.Add(Phase, $"watch latency p50 ({watchers.Length} watches)", s.P50, "ms", note: $"200 → WatchAsync yields; {s.Count:N0} rounds, {WatchWorkers} at a time; {where}");
        ctx.Report.AddAtMost(Phase, $"watch latency p99 ({watchers.Length} watches)", s.P99, "ms", 20, note: $"max {s.Max:0.###} ms");
        ctx.Report.Add(Phase, "watch changes lost", lost, "", target: "0", met: lost == 0, note: $"none within {LostAfter.TotalSeconds:0} s; {failed} POST failures");
        if (lost > 0 || failed > 0) ctx.Failed = true;
    }

    /// <summary>One client watch, pumped in the background: when each touchpoint count was first seen.</summary>
    private sealed class Watcher
    {
        private readonly ConcurrentDictionary<long, TaskCompletionSource<long>> _sightings = new();

        public Watcher(IProfilesClient profiles, string email, CancellationToken stop) => Pump = PumpAsync(profiles, email, stop);

        public Task Pump { get; }

        /// <summary>The Stopwatch timestamp at which the watch first showed at least <paramref name="count"/> touchpoints.</summary>
        public Task<long> SeenAsync(long count) => Sighting(count).Task;

        private TaskCompletionSource<long> Sighting(long count) =>
            _sightings.GetOrAdd(count, _ => new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously));

        private async Task PumpAsync(IProfilesClient profiles, string email, CancellationToken stop)
        {
            long shown = 0;
            try
            {
                await foreach (var profile in profiles.WatchAsync("email", email, stop))
                {
                    var now = Stopwatch.GetTimestamp();
                    for (var count = shown + 1; count <= (profile?.Touchpoints ?? 0); count++) Sighting(count).TrySetResult(now);
                    shown = Math.Max(shown, profile?.Touchpoints ?? 0);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
        }
    }
}
