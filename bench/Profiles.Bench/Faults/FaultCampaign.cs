using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Profiles.Bench.Faults;

/// <summary>
/// <c>--scenario faults</c>: <c>--schedules</c> schedules (<see cref="FaultSchedule"/>), the first with <c>--seed</c>'s
/// seed and each next one with the next seed, so that any one replays alone with <c>--schedules 1 --seed S</c>. Prints
/// each schedule's faults and outcome as it ends, then the table of faults against outcomes (<see cref="CampaignTable"/>)
/// and the replay command of every schedule that failed. Exit code 1 when one did.
/// </summary>
public static class FaultCampaign
{
    public const int DefaultCustomers = 1000;
    public const int DefaultBatch = 20;
    public const double DefaultLoadSeconds = 40;
    public const string DefaultOut = "bench/results/faults.json";

    /// <summary>Where failed schedules leave their logs, from the repository's root (where run.sh runs).</summary>
    private const string Logs = "bench/results/faults";

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter() },
    };

    public static async Task<int> RunAsync(Options options, CancellationToken ct)
    {
        if (options.Silo is not { } silo || !File.Exists(Path.Combine(silo, "Profiles.Silo.dll")))
        {
            Console.Error.WriteLine("error: --scenario faults needs --silo, the folder of a Profiles.Silo build (bench/run.sh passes it)");
            return 2;
        }
        try
        {
            await Firewall.PrepareAsync(FaultPlan.Nodes).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 3;
        }
        var setup = new CampaignSetup(ReadableCopy.Of(Path.GetFullPath(silo)), options.RedisCluster, options.Customers, options.BatchSizes[0], options.Writers,
            TimeSpan.FromSeconds(options.LoadSeconds), Path.GetFullPath(Logs));
        var table = new CampaignTable(setup, MachineInfo.Read(), Command(options, options.Schedules, options.Seed));
        for (var i = 0; i < options.Schedules && !ct.IsCancellationRequested; i++)
        {
            var seed = options.Seed + i;
            Console.Error.WriteLine($"schedule {i + 1}/{options.Schedules}, seed {seed}: {string.Join("; ", FaultPlan.For(seed, setup.Load, setup.RedisCluster))}");
            var outcome = await FaultSchedule.RunAsync(setup, seed, ct).ConfigureAwait(false);
            if (ct.IsCancellationRequested) break;
            table.Add(outcome);
            Report(outcome, Replay(options, seed));
        }
        var interrupted = ct.IsCancellationRequested;
        Console.Out.Write(table.ToMarkdown(interrupted, seed => Replay(options, seed)));
        Console.Out.Flush();
        try
        {
            var path = options.Out;
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            File.WriteAllText(path, JsonSerializer.Serialize(table.Outcomes, JsonOptions));
            Console.Error.WriteLine($"results: {Path.GetFullPath(path)}");
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"could not write the results: {e.Message}");
        }
        return interrupted || table.Outcomes.Any(o => !o.Passed) ? 1 : 0;
    }

    /// <summary>One line on stderr as each schedule ends (Console, not the progress display: a long line stays one line
    /// in a CI log), and the problems of a failed one.</summary>
    private static void Report(ScheduleOutcome outcome, string replay)
    {
        var line = $"  seed {outcome.Seed}: {outcome.Acknowledged:N0}/{outcome.Touchpoints:N0} acknowledged";
        if (outcome.Findings is { } f)
            line += $", lost {f.Lost}, doubled {f.Doubled}, non-canonical {f.NonCanonical}, feed missing {f.FeedMissing}, stats {(f.StatsHold ? "equal" : "DIFFER")}";
        line += $", 500s {outcome.ServerErrors}, stale reads {outcome.StaleReads}, node self-stops {(outcome.SelfStops.Count == 0 ? "0" : string.Join(", ", outcome.SelfStops))}; "
                + string.Concat(outcome.Faults.Select(r => $"after {r.Fault.Kind} the other nodes answered within {CampaignTable.Answer(r.Slowest, where: true)}; "))
                + $"{outcome.Seconds:0} s";
        Console.Error.WriteLine(outcome.Passed ? $"{line}: held" : $"{line}: FAILED; replay: {replay}; logs in {Path.Combine(Logs, $"seed-{outcome.Seed}")}");
        foreach (var problem in outcome.Problems.Take(12)) Console.Error.WriteLine($"    {problem}");
    }

    /// <summary>The command that runs the schedule of <paramref name="seed"/> alone, with the campaign's settings.</summary>
    private static string Replay(Options o, int seed) => Command(o, 1, seed);

    /// <summary>The command that runs <paramref name="schedules"/> schedules from <paramref name="seed"/> on.</summary>
    private static string Command(Options o, int schedules, int seed)
    {
        var command = $"bash bench/run.sh --scenario faults --schedules {schedules} --seed {seed}";
        if (o.RedisCluster) command += " --redis-cluster";
        if (o.Customers != DefaultCustomers) command += $" --customers {o.Customers}";
        if (o.BatchSizes[0] != DefaultBatch) command += $" --batch {o.BatchSizes[0]}";
        if (o.Writers != 16) command += $" --writers {o.Writers}";
        if (o.LoadSeconds != DefaultLoadSeconds) command += $" --load-seconds {o.LoadSeconds.ToString(CultureInfo.InvariantCulture)}";
        return command;
    }
}
