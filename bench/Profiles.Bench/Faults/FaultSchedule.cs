using System.Diagnostics;
using Profiles.Contracts;

namespace Profiles.Bench.Faults;

/// <summary>What every schedule of a campaign shares.</summary>
/// <param name="Silo">A folder holding a Silo build every user can read.</param>
/// <param name="Logs">Where each schedule keeps its nodes' and Redis's logs (a folder per seed).</param>
public sealed record CampaignSetup(string Silo, bool RedisCluster, int Customers, int Batch, int Writers, TimeSpan Load, string Logs);

/// <summary>What became of one schedule.</summary>
public sealed class ScheduleOutcome(int seed, IReadOnlyList<Fault> plan)
{
    public int Seed { get; } = seed;
    public IReadOnlyList<Fault> Plan { get; } = plan;
    public IReadOnlyList<FaultRun> Faults { get; set; } = [];
    /// <summary>The touchpoints the writers had to send: the whole population.</summary>
    public int Touchpoints { get; set; }
    public int Acknowledged { get; set; }
    public CheckFindings? Findings { get; set; }
    public int ServerErrors { get; set; }
    public int StaleReads { get; set; }
    /// <summary>Each time a node stopped by itself: <c>node 2 at 21.3 s</c> (from the start of the load).</summary>
    public List<string> SelfStops { get; } = [];
    public double Seconds { get; set; }

    /// <summary>When the load started (UTC): the zero of every time a schedule reports.</summary>
    public DateTime LoadStarted { get; set; }

    /// <summary>Why the schedule failed: empty when everything held.</summary>
    public List<string> Problems { get; } = [];

    public bool Passed => Problems.Count == 0;
}

/// <summary>
/// One schedule, from its seed: a fresh Redis (one server, or a Redis Cluster of three masters with a replica each)
/// and three nodes on it, clustered through it; the population of <see cref="CampaignSetup.Customers"/> customers sent
/// in a seeded order by the retrying writers over the load while the reader looks up, and the faults of
/// <see cref="FaultPlan"/> struck and healed; then every batch answered, every node ready, a settle, and the checks.
/// </summary>
public static class FaultSchedule
{
    /// <summary>How long after the load and the last healing the writers keep retrying before they give up.</summary>
    private static readonly TimeSpan RecoveryLimit = TimeSpan.FromSeconds(90);

    /// <summary>How long a node may take to become ready, at the start and after the last healing.</summary>
    private static readonly TimeSpan ReadyLimit = TimeSpan.FromSeconds(120);

    /// <summary>Past the 5 s within which <c>/v1/stats</c> is exact after the last write.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(6);

    public static async Task<ScheduleOutcome> RunAsync(CampaignSetup setup, int seed, CancellationToken ct)
    {
        var plan = FaultPlan.For(seed, setup.Load, setup.RedisCluster);
        var outcome = new ScheduleOutcome(seed, plan);
        var started = Stopwatch.StartNew();
        var logs = Path.Combine(setup.Logs, $"seed-{seed}");
        if (Directory.Exists(logs)) Directory.Delete(logs, recursive: true);
        Directory.CreateDirectory(logs);
        await Firewall.HealAllAsync().ConfigureAwait(false);
        FaultStore? store = null;
        var nodes = new List<FaultNode>();
        try
        {
            store = await FaultStore.StartAsync(setup.RedisCluster, logs).ConfigureAwait(false);
            var clusterId = $"faults-{seed}-{Guid.NewGuid():n}"[..24];
            for (var i = 0; i < FaultPlan.Nodes; i++)
                nodes.Add(FaultNode.Start(i, setup.Silo, store.ConnectionString, store.NodeSettings, clusterId, Path.Combine(logs, $"node{i + 1}.log")));
            using var probe = new HttpClient();
            if (await AllReadyAsync(nodes, probe, outcome, "at the start", ct).ConfigureAwait(false))
                await LoadStrikeAndCheckAsync(setup, outcome, nodes, store, probe, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            outcome.Problems.Add($"the schedule broke off: {e.GetType().Name}: {e.Message}");
        }
        finally
        {
            foreach (var node in nodes) await node.DisposeAsync().ConfigureAwait(false);
            if (store is not null) await store.DisposeAsync().ConfigureAwait(false);
            await Firewall.HealAllAsync().ConfigureAwait(false);
            outcome.SelfStops.AddRange(nodes.SelectMany(n => n.SelfStops.Select(at => (Node: n.Index, At: at))).OrderBy(stop => stop.At)
                .Select(stop => $"node {stop.Node + 1} at {(stop.At - outcome.LoadStarted).TotalSeconds:0.0} s"));
            outcome.Seconds = started.Elapsed.TotalSeconds;
            // A schedule that held leaves nothing behind; a failed one keeps its logs, to compare with its replay.
            if (outcome.Passed && !ct.IsCancellationRequested) Directory.Delete(logs, recursive: true);
        }
        return outcome;
    }

    private static async Task LoadStrikeAndCheckAsync(CampaignSetup setup, ScheduleOutcome outcome, IReadOnlyList<FaultNode> nodes, FaultStore store,
        HttpClient probe, CancellationToken ct)
    {
        var population = RetailPopulation.Generate(outcome.Seed, 0, setup.Customers, RetailPopulation.DefaultAnchor);
        var order = population.Touchpoints.ToArray();
        new Random(outcome.Seed).Shuffle(order);
        outcome.Touchpoints = order.Length;
        outcome.LoadStarted = DateTime.UtcNow;
        var clock = Stopwatch.StartNew();
        var log = new AnswerLog(clock);
        var targets = nodes.Select(n => n.BaseAddress).ToArray();
        using var clients = new Nodes(targets, 64, RetryingWriters.AttemptTimeout);
        var writers = new RetryingWriters(clients, order, setup.Batch, setup.Writers, setup.Load, log);
        var reader = new LookupReader(clients, writers, log);
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var writing = writers.RunAsync(giveUp.Token);
        var reading = reader.RunAsync(outcome.Seed, stopReading.Token);
        try
        {
            var runs = await FaultInjector.RunAsync(outcome.Plan, nodes, store, clock, ct).ConfigureAwait(false);
            giveUp.CancelAfter((setup.Load > clock.Elapsed ? setup.Load - clock.Elapsed : TimeSpan.Zero) + RecoveryLimit);
            await writing.ConfigureAwait(false);
            ct.ThrowIfCancellationRequested();
            await AllReadyAsync(nodes, probe, outcome, "after the last healing", ct).ConfigureAwait(false);
            await Task.Delay(Settle, ct).ConfigureAwait(false);
            // A fault's aftermath ends where the next fault strikes: what follows is the next fault's.
            outcome.Faults = [.. runs.Select((r, i) => r with
            {
                Slowest = log.Slowest(r.Struck, i + 1 < runs.Count && runs[i + 1].Struck < r.Healed + FaultRun.Aftermath ? runs[i + 1].Struck : r.Healed + FaultRun.Aftermath,
                    r.Fault.HitsOneNode ? r.Fault.Target : null, i + 1 < runs.Count ? runs[i + 1] : null),
            })];
        }
        finally
        {
            // Whatever broke the schedule off, no writer or read outlives it.
            await giveUp.CancelAsync().ConfigureAwait(false);
            await stopReading.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(writing, reading).ConfigureAwait(false);
        }

        var acknowledged = writers.Answers.Where(a => a.Value is TouchpointResult.Accepted or TouchpointResult.Duplicate)
            .Select(a => a.Key).ToHashSet(StringComparer.Ordinal);
        outcome.Acknowledged = acknowledged.Count;
        if (writers.Unacknowledged > 0)
            outcome.Problems.Add($"{writers.Unacknowledged} touchpoints were never acknowledged: no node took their batches within {RecoveryLimit.TotalSeconds:0} s of the load's end and the last healing");
        outcome.Problems.AddRange(writers.Refusals.Take(5));
        outcome.StaleReads = reader.StaleReads.Count;
        outcome.Problems.AddRange(reader.StaleReads.Take(5));

        using var checkClients = new Nodes(targets, 16, TimeSpan.FromSeconds(60), inner => new PatientReads(targets, log) { InnerHandler = inner });
        var findings = await ScheduleCheck.RunAsync(checkClients, population, acknowledged, outcome.Seed, ct).ConfigureAwait(false);
        outcome.Findings = findings;
        outcome.Problems.AddRange(findings.Problems);
        outcome.ServerErrors = log.ServerErrors.Count;
        outcome.Problems.AddRange(log.ServerErrors.Take(5));
    }

    private static async Task<bool> AllReadyAsync(IReadOnlyList<FaultNode> nodes, HttpClient probe, ScheduleOutcome outcome, string when, CancellationToken ct)
    {
        var ready = await Task.WhenAll(nodes.Select(n => n.WaitReadyAsync(probe, ReadyLimit, ct))).ConfigureAwait(false);
        for (var i = 0; i < ready.Length; i++)
            if (!ready[i]) outcome.Problems.Add($"node {i + 1} was not ready {ReadyLimit.TotalSeconds:0} s {when}");
        return ready.All(r => r);
    }
}
