using System.Diagnostics;
using Npgsql;
using Profiles.Contracts;
using Profiles.Grains.Storage;

namespace Profiles.Bench.Scenarios;

/// <summary>
/// The history tier at work, on a node started with one (run.sh --scenario history): a year of journeys ingested
/// while the bench holds the mover off (<see cref="MoverLeases"/>) and Redis's memory per customer then; the lookup p99
/// during an ingest with the mover still held off, then during one of the same size while the mover moves everything
/// older than the hot days; the move's rate, Redis's memory per customer after it and PostgreSQL's bytes per moved
/// touchpoint; and journey pages read across both tiers.
/// </summary>
public static class HistoryScenario
{
    public const int DefaultHotDays = 7;

    /// <summary>24,000 touchpoints, and 12,000 more beside the lookups: run.sh ends within five minutes on two cores.</summary>
    public const int DefaultCustomers = 1000;

    private const string Phase = "history";

    /// <summary>Items per journey page: a journey of 24 reads as three pages, each reaching into moved items.</summary>
    private const int PageLimit = 10;

    private const double MaxMemoryAfterShare = 40;
    private const double MaxPostgresBytesPerTouchpoint = 300;
    private const double MaxPageP99Milliseconds = 20;
    private const double MaxLookupSlowdown = 1.10;

    /// <summary>The change feed's keys, one stream per shard, as <see cref="RedisProbe.KeyClass"/> names them.</summary>
    private const string FeedKeyClass = "profiles:{*}:changes";

    /// <summary>How long the move may go without moving an item before the scenario gives up on it.</summary>
    private static readonly TimeSpan StalledMove = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(500);

    private static readonly TimeSpan LookupWarmup = TimeSpan.FromSeconds(3);

    public static async Task RunAsync(BenchContext ctx, CancellationToken ct)
    {
        var o = ctx.Options;
        if (ctx.Redis is not { } redis || ctx.RedisBaseline is not { } empty || o.Postgres is not { } postgres)
        {
            ctx.Report.Problem($"{Phase}: needs the node's Redis and PostgreSQL: bash bench/run.sh --redis --scenario history");
            ctx.Failed = true;
            return;
        }
        await using var cold = NpgsqlDataSource.Create(postgres);
        var leases = new MoverLeases(redis);
        await leases.HoldAsync(ct).ConfigureAwait(false);
        try
        {
            var year = YearOfJourneys.Generate(o.Seed, ctx.NextCustomer, o.Customers, DateTimeOffset.UtcNow);
            ctx.NextCustomer += o.Customers;
            var ingest = await IngestAsync(ctx, "a year of journeys", YearOfJourneys.Shuffled(o.Seed, year), ct).ConfigureAwait(false);
            ctx.Report.Add(Phase, "ingest of a year of journeys, mover held off", ingest.PerSecond, "touchpoints/s",
                note: $"{o.Customers:N0} customers, {ingest.Sent:N0} touchpoints over the last 365 days, {ingest.Accepted:N0} accepted; {o.Writers} writers, batch {o.BatchSizes[0]}");

            // The profile snapshots of the ingest are written within their interval: counted before and after alike.
            await Task.Delay(BenchContext.PastSnapshotInterval, ct).ConfigureAwait(false);
            var before = await MemoryPerCustomerAsync(ctx, redis, empty, o.Customers, "before the move", ct).ConfigureAwait(false);

            // Two ingests of the same size with lookups: the first with the mover held off, the second while it moves
            // the year and the first ingest's journeys, a backlog several times its size.
            var fresh = Math.Max(100, o.Customers / 4);
            var emails = LookupEmails(o.Seed, year);
            // Unmeasured: the first lookups since the ingest would otherwise weigh on the first phase alone.
            await LookupLoad.RunAsync(ctx.Reads, emails, o.LookupRate, LookupWarmup, ct).ConfigureAwait(false);
            var (without, _) = await LookupsDuringIngestAsync(ctx, "mover held off", fresh, emails, cold, ct).ConfigureAwait(false);
            var rowsBefore = await RowsAsync(cold).ConfigureAwait(false);
            await leases.ReleaseAsync().ConfigureAwait(false);
            var started = await FirstMoveAsync(ctx, cold, rowsBefore, ct).ConfigureAwait(false);
            var withMover = LookupsDuringIngestAsync(ctx, "mover moving", fresh, emails, cold, ct);
            var move = await WatchMoveAsync(ctx, redis, cold, rowsBefore, started, withMover, ct).ConfigureAwait(false);
            var (with, movedBeside) = await withMover.ConfigureAwait(false);
            AddLookups(ctx, without, with, fresh, movedBeside);
            ctx.Report.Add(Phase, "move rate", move.Items / move.Seconds, "items/s",
                note: $"{move.Items:N0} items older than {o.HotDays} days moved in {move.Seconds:0.#} s, from the round that moved first to an empty due set; "
                      + $"{movedBeside:N0} of them during the ingest and lookups beside the move");

            await Task.Delay(BenchContext.PastSnapshotInterval, ct).ConfigureAwait(false);
            var customers = o.Customers + 2 * fresh;
            var after = await MemoryPerCustomerAsync(ctx, redis, empty, customers, "after the move", ct).ConfigureAwait(false);
            ctx.Report.AddAtMost(Phase, "Redis memory per customer, after over before", after * 100 / before, "%", MaxMemoryAfterShare,
                note: $"{before:N0} B -> {after:N0} B (after: the year's {o.Customers:N0} customers and the two ingests' {2 * fresh:N0}, journeys of the same shape)");
            var (bytes, rows) = await PostgresSizeAsync(cold).ConfigureAwait(false);
            ctx.Report.AddAtMost(Phase, "PostgreSQL bytes per moved touchpoint", (double)bytes / Math.Max(1, rows), "B", MaxPostgresBytesPerTouchpoint,
                note: $"pg_total_relation_size of the table's partitions (rows, primary key), {bytes / 1048576.0:0.#} MiB for {rows:N0} rows");

            await ReadJourneysAsync(ctx, year, ct).ConfigureAwait(false);
        }
        finally
        {
            await leases.ReleaseAsync().ConfigureAwait(false);
        }
    }

    private static async Task<IngestStats> IngestAsync(BenchContext ctx, string what, TouchpointSpec[] order, CancellationToken ct)
    {
        var o = ctx.Options;
        var stats = await Ui.WithProgress($"[{Phase}] {what}: {order.Length:N0} touchpoints", order.Length,
            p => Replayer.ReplayAsync(ctx.Writes, order, 0, order.Length, o.BatchSizes[0], o.Writers, p, ct, o.IngestRate)).ConfigureAwait(false);
        ctx.StoredTouchpoints += stats.Accepted;
        foreach (var e in stats.Errors) ctx.Report.Problem($"{Phase}: {what}: {e}");
        if (stats.FailedRequests > 0 || stats.Rejected > 0) ctx.Failed = true;
        return stats;
    }

    /// <summary>
    /// Reports used_memory over the empty store's per customer, the change feed left out, and what its keys take by
    /// type. The feed holds changes by when they arrived, for its retention (7 days): the bench sends a year of
    /// journeys within a minute, so its feed holds a year of changes, which no running deployment holds, before the
    /// move and after it alike. Its bytes per stored touchpoint are reported on their own line; the capacity model
    /// sizes it by rate.
    /// </summary>
    private static async Task<double> MemoryPerCustomerAsync(BenchContext ctx, RedisProbe redis, RedisInfo empty, int customers, string when,
        CancellationToken ct)
    {
        var used = (double)((await redis.InfoAsync().ConfigureAwait(false)).UsedMemory - empty.UsedMemory);
        var keys = await redis.KeyUsageAsync(200, ct).ConfigureAwait(false);
        var feed = keys.FirstOrDefault(k => k.Name == FeedKeyClass)?.EstimatedBytes ?? 0;
        var perCustomer = (used - feed) / customers;
        ctx.Report.Add(Phase, $"Redis memory per customer {when}", perCustomer, "B",
            note: $"used_memory over the empty store's less the change feed, over {customers:N0} customers of {YearOfJourneys.TouchpointsPerCustomer} touchpoints; by key type (MEMORY USAGE of up to 200 keys each, scaled): "
                  + string.Join("; ", keys.Where(k => k.Name != FeedKeyClass).Take(8).Select(k => $"{k.Name} {k.EstimatedBytes / customers:0} B ({k.Keys:N0} keys)")));
        ctx.Report.Add(Phase, $"change feed per stored touchpoint {when}", feed / Math.Max(1, ctx.StoredTouchpoints), "B",
            note: $"{FeedKeyClass}: {feed / 1048576.0:0.#} MiB for {ctx.StoredTouchpoints:N0} touchpoints, every change the feed holds (touchpoint, merged, standing) counted");
        return perCustomer;
    }

    private sealed record Move(long Items, double Seconds);

    /// <summary>Waits for the mover's first round after the leases' release to write a row.</summary>
    /// <returns>When the last poll before that row was made.</returns>
    private static async Task<long> FirstMoveAsync(BenchContext ctx, NpgsqlDataSource cold, long rowsBefore, CancellationToken ct)
    {
        Ui.Info($"[{Phase}] waiting for the mover's first round");
        var waiting = Stopwatch.GetTimestamp();
        var lastPoll = waiting;
        while (Stopwatch.GetElapsedTime(waiting) < StalledMove)
        {
            lastPoll = Stopwatch.GetTimestamp();
            await Task.Delay(Poll, ct).ConfigureAwait(false);
            if (await RowsAsync(cold).ConfigureAwait(false) > rowsBefore) return lastPoll;
        }
        ctx.Report.Problem($"{Phase}: the mover moved nothing within {StalledMove.TotalSeconds:0} s of the leases' release");
        ctx.Failed = true;
        return lastPoll;
    }

    /// <summary>Waits until <paramref name="ingest"/> is done and the node's mover has emptied every shard's due set of
    /// journeys holding items older than the hot days, counting the rows it writes from <paramref name="started"/>.</summary>
    private static async Task<Move> WatchMoveAsync(BenchContext ctx, RedisProbe redis, NpgsqlDataSource cold, long rowsBefore, long started, Task ingest,
        CancellationToken ct)
    {
        var (rows, lastMoved) = (rowsBefore, Stopwatch.GetTimestamp());
        while (true)
        {
            await Task.Delay(Poll, ct).ConfigureAwait(false);
            var now = await RowsAsync(cold).ConfigureAwait(false);
            if (now != rows) (rows, lastMoved) = (now, Stopwatch.GetTimestamp());
            if (!ingest.IsCompleted) continue;
            var due = await DueJourneysAsync(redis, ctx.Options.HotDays).ConfigureAwait(false);
            if (due == 0) break;
            if (Stopwatch.GetElapsedTime(lastMoved) > StalledMove)
            {
                ctx.Report.Problem($"{Phase}: the mover moved nothing for {StalledMove.TotalSeconds:0} s with {due:N0} journeys still due");
                ctx.Failed = true;
                break;
            }
        }
        return new Move(rows - rowsBefore, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    /// <summary>Journeys holding an item older than the hot days, in every shard's due set (scored by a journey's oldest
    /// item, in Unix milliseconds).</summary>
    private static async Task<long> DueJourneysAsync(RedisProbe redis, int hotDays)
    {
        var cutoff = (DateTimeOffset.UtcNow - TimeSpan.FromDays(hotDays)).ToUnixTimeMilliseconds();
        long due = 0;
        foreach (var shard in Shards.All)
            due += (long)(await redis.CommandAsync("ZCOUNT", RedisLayout.HistoryDue(shard)!, "-inf", $"({cutoff}").ConfigureAwait(false))!;
        return due;
    }

    private static async Task<long> RowsAsync(NpgsqlDataSource cold)
    {
        await using var command = cold.CreateCommand("SELECT count(*) FROM profiles_journey_history");
        return (long)(await command.ExecuteScalarAsync().ConfigureAwait(false))!;
    }

    private static async Task<(long Bytes, long Rows)> PostgresSizeAsync(NpgsqlDataSource cold)
    {
        await using var command = cold.CreateCommand("""
            SELECT coalesce(sum(pg_total_relation_size(inhrelid)), 0)::bigint FROM pg_inherits
            WHERE inhparent = 'profiles_journey_history'::regclass
            """);
        var bytes = (long)(await command.ExecuteScalarAsync().ConfigureAwait(false))!;
        return (bytes, await RowsAsync(cold).ConfigureAwait(false));
    }

    /// <summary>Every page of the journeys of sampled customers, one reader at a time: with the hot days a fiftieth of the
    /// year, every page holds moved items.</summary>
    private static async Task ReadJourneysAsync(BenchContext ctx, YearCustomer[] year, CancellationToken ct)
    {
        var random = new Random(ctx.Options.Seed + 11);
        var sample = year.OrderBy(_ => random.Next()).Take(Math.Max(1, ctx.Options.Sample)).ToArray();
        var pages = new LatencyRecorder();
        var incomplete = 0;
        foreach (var (customer, journey) in sample)
        {
            var profile = await ctx.Reads.Next().LookupAsync(new IdentifierInput("email", customer.Email), ct).ConfigureAwait(false);
            if (!profile.Succeeded)
            {
                ctx.Report.Problem($"{Phase}: a sampled customer's lookup answered {ProfileReport.Refusal(profile)}");
                incomplete++;
                continue;
            }
            var walk = await JourneyWalker.WalkAsync(ctx.Reads, profile.Value.ProfileId, PageLimit, journey.Length, null, ct).ConfigureAwait(false);
            pages.Merge(walk.Latency);
            if (walk.Error is not null || walk.Items != journey.Length || walk.DuplicateIds > 0)
            {
                incomplete++;
                if (incomplete <= 5)
                    ctx.Report.Problem($"{Phase}: a journey read {walk.Items} items ({walk.DuplicateIds} twice) of {journey.Length}{(walk.Error is null ? "" : ": " + walk.Error)}");
            }
        }
        var latency = pages.Summarise();
        ctx.Report.Add(Phase, "journey page across tiers p50", latency.P50, "ms",
            note: $"{latency.Count:N0} pages of {PageLimit} of {sample.Length:N0} customers' journeys, one reader; {incomplete} journeys not read whole");
        ctx.Report.AddAtMost(Phase, "journey page across tiers p99", latency.P99, "ms", MaxPageP99Milliseconds, note: $"max {latency.Max:0.##} ms");
        if (incomplete > 0) ctx.Failed = true;
    }

    /// <summary>E-mails of the year's customers, in a seeded random order, for the lookups beside the ingests.</summary>
    private static IdentifierInput[] LookupEmails(int seed, YearCustomer[] year)
    {
        var random = new Random(seed + 13);
        return [.. Enumerable.Range(0, Math.Min(8192, year.Length * 2)).Select(_ => new IdentifierInput("email", year[random.Next(year.Length)].Customer.Email))];
    }

    private static void AddLookups(BenchContext ctx, LatencySummary without, LatencySummary with, int customers, long moved)
    {
        var o = ctx.Options;
        if (moved == 0) ctx.Report.Problem($"{Phase}: the mover moved nothing during the ingest meant to run beside a move");
        ctx.Report.Add(Phase, "lookup p99 during ingest, mover held off", without.P99, "ms", note: $"p50 {without.P50:0.###} ms, {without.Count:N0} lookups at {o.LookupRate:N0}/s");
        ctx.Report.Add(Phase, "lookup p99 during ingest, mover moving", with.P99, "ms", note: $"p50 {with.P50:0.###} ms, {with.Count:N0} lookups; {moved:N0} items moved meanwhile");
        ctx.Report.AddAtMost(Phase, "lookup p99 during a move over without", with.P99 / without.P99, "x", MaxLookupSlowdown,
            note: $"ingests of {customers:N0} fresh customers' year-long journeys each; load average {ProcStats.LoadAverage()}");
    }

    /// <returns>The lookups' latency from their intended start, and the rows the mover wrote meanwhile.</returns>
    private static async Task<(LatencySummary Lookups, long Moved)> LookupsDuringIngestAsync(BenchContext ctx, string label, int customers,
        IdentifierInput[] emails, NpgsqlDataSource cold, CancellationToken ct)
    {
        var o = ctx.Options;
        var rows = await RowsAsync(cold).ConfigureAwait(false);
        var fresh = YearOfJourneys.Generate(o.Seed, ctx.NextCustomer, customers, DateTimeOffset.UtcNow);
        ctx.NextCustomer += customers;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var lookups = LookupLoad.RunAsync(ctx.Reads, emails, o.LookupRate, null, stop.Token);
        await IngestAsync(ctx, $"ingest, {label}", YearOfJourneys.Shuffled(o.Seed + ctx.NextCustomer, fresh), ct).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        var stats = await lookups.ConfigureAwait(false);
        foreach (var e in stats.Errors) ctx.Report.Problem($"{Phase}: lookups, {label}: {e}");
        if (stats.NotFound + stats.OtherStatus + stats.Failed > 0) ctx.Failed = true;
        return (stats.Latency.Summarise(), await RowsAsync(cold).ConfigureAwait(false) - rows);
    }
}
