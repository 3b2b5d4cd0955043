using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Profiles.Bench.Faults;

/// <summary>The campaign's report: how it ran, then a row per fault kind (and one for all schedules) counting the
/// schedules that had such a fault and what their checks found, then each failed schedule with its replay command.
/// A schedule with faults of two kinds counts in both rows.</summary>
public sealed class CampaignTable(CampaignSetup setup, MachineInfo machine, string command)
{
    private readonly string _loadAtStart = MachineInfo.LoadAverage();
    private readonly DateTimeOffset _startedAt = DateTimeOffset.UtcNow;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public List<ScheduleOutcome> Outcomes { get; } = [];

    public void Add(ScheduleOutcome outcome) => Outcomes.Add(outcome);

    /// <summary>The slowest answer: its time and its status or that none came; <paramref name="where"/> adds the call,
    /// the node and when it was sent.</summary>
    public static string Answer(Attempt? slowest, bool where = false) => slowest is not { } a
        ? "n/a"
        : string.Create(CultureInfo.InvariantCulture,
            $"{a.Took.TotalSeconds:0.0} s ({(a.Status is { } status ? status.ToString(CultureInfo.InvariantCulture) : "no answer")}{(where ? $", {a.Call} on node {a.Node + 1} at {a.SentAt.TotalSeconds:0.0} s" : "")})");

    public string ToMarkdown(bool interrupted, Func<int, string> replay)
    {
        var sb = new StringBuilder();
        void Line(FormattableString text) => sb.AppendLine(text.ToString(CultureInfo.InvariantCulture));
        var failed = Outcomes.Where(o => !o.Passed).ToArray();
        Line($"## Profiles fault campaign");
        Line($"");
        Line($"- machine: {machine.Cores} cores, {machine.MemTotalKiB / 1024.0 / 1024.0:F1} GiB, {machine.CpuModel}");
        Line($"- command: `{command}`{(interrupted ? " (interrupted)" : "")}");
        Line($"- store: {(setup.RedisCluster ? "Redis Cluster, 3 masters with a replica each" : "one redis-server")}, append-only file on, appendfsync everysec; 3 nodes");
        Line($"- each schedule: {setup.Customers:N0} customers ({(Outcomes.Count == 0 ? 0 : Outcomes.Average(o => o.Touchpoints)):N0} touchpoints) sent over {setup.Load.TotalSeconds:0} s by {setup.Writers} retrying writers in batches of {setup.Batch}, {LookupReader.PerSecond} lookups/s, 1-3 faults");
        Line($"- started {_startedAt:yyyy-MM-dd HH:mm} UTC, took {_clock.Elapsed.TotalMinutes:0.#} min ({(Outcomes.Count == 0 ? 0 : Outcomes.Average(o => o.Seconds)):0} s a schedule); load average (1/5/15 min) {_loadAtStart} at the start, {MachineInfo.LoadAverage()} at the end");
        Line($"- schedules: {Outcomes.Count}, held: {Outcomes.Count - failed.Length}, failed: {failed.Length}");
        Line($"");
        Line($"| fault | schedules | failed | acknowledged | lost | doubled | non-canonical customers | stats ≠ recount | feed missing | 500s | stale reads | node self-stops | slowest answer of the other nodes |");
        Line($"| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        Row(sb, "all schedules", Outcomes, Outcomes.SelectMany(o => o.Faults));
        foreach (var kind in Enum.GetValues<FaultKind>())
        {
            var runs = Outcomes.SelectMany(o => o.Faults).Where(r => r.Fault.Kind == kind).ToArray();
            var schedules = Outcomes.Where(o => o.Plan.Any(f => f.Kind == kind)).ToArray();
            if (schedules.Length > 0) Row(sb, Fault.Name(kind), schedules, runs);
        }
        Line($"");
        Line($"Slowest answer: of every request the writers and the reader sent a node the fault did not hit (any node, for a Redis fault), from the fault until {FaultRun.Aftermath.TotalSeconds:0} s after its healing or the next fault (a request still waiting when the next fault strikes its node is that fault's); a client gives up after {RetryingWriters.AttemptTimeout.TotalSeconds:0} s.");
        if (failed.Length > 0)
        {
            Line($"");
            Line($"### Failed schedules");
            foreach (var o in failed)
            {
                Line($"");
                Line($"- seed {o.Seed}: {string.Join("; ", o.Plan)}. Replay: `{replay(o.Seed)}`; logs in {Path.GetRelativePath(Environment.CurrentDirectory, Path.Combine(setup.Logs, $"seed-{o.Seed}"))}");
                foreach (var problem in o.Problems.Take(10)) Line($"  - {problem}");
                if (o.Problems.Count > 10) Line($"  - ... {o.Problems.Count - 10} more in the JSON results");
            }
        }
        return sb.ToString();
    }

    private static void Row(StringBuilder sb, string label, IReadOnlyCollection<ScheduleOutcome> schedules, IEnumerable<FaultRun> runs)
    {
        int Sum(Func<CheckFindings, int> figure) => schedules.Sum(o => o.Findings is { } f ? figure(f) : 0);
        var slowest = runs.Select(r => r.Slowest).Where(a => a is not null).MaxBy(a => a!.Value.Took);
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"| {label} | {schedules.Count} | {schedules.Count(o => !o.Passed)} | {schedules.Sum(o => o.Acknowledged):N0} | {Sum(f => f.Lost)} | {Sum(f => f.Doubled)} | {Sum(f => f.NonCanonical)} | "
            + $"{schedules.Count(o => o.Findings is { StatsHold: false })} | {Sum(f => f.FeedMissing)} | {schedules.Sum(o => o.ServerErrors)} | {schedules.Sum(o => o.StaleReads)} | "
            + $"{schedules.Sum(o => o.SelfStops.Count)} | {Answer(slowest)} |");
    }
}
