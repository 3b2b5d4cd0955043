using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Profiles.Contracts;
using Profiles.Import;

namespace Profiles.Bench.Scenarios;

/// <summary>
/// The CRM onboarding import against the node's own ingest rate for the same rows. Per round, two CRM
/// files of <c>--import-rows</c> customers each, alike but for their customers: one is turned into request bodies
/// by the import's own code and posted directly (batches of 1000, <c>--import-parallel</c> requests at once), the
/// other is imported by the tool run as a user runs it, with the same parallelism. Each file's web logins are sent
/// first, unmeasured, so the import has online profiles to reconcile with. Rounds alternate which goes first, so
/// that neither always meets the smaller store, and the rates are over all rounds. The last file is then imported
/// again, which must answer duplicate for every row and report the same match.
/// </summary>
public static partial class ImportScenario
{
    private const string Phase = "import";
    private const int OnlinePercent = 30;

    // Customers of round r: the direct file from (2r + 1) million, the imported one from (2r + 2) million; the
    // warm-up's below a million. CrmFiles keeps phones distinct below 10 million, hence at most 4 rounds.
    public const int MaxRounds = 4;
    private const int Million = 1_000_000;

    public static async Task RunAsync(BenchContext ctx, CancellationToken ct)
    {
        var o = ctx.Options;
        var rows = o.ImportRows;
        var target = ctx.Writes.Targets[0];
        var dir = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(o.Out))!, "import");
        var loadBefore = LoadAverage();
        Ui.Info($"[{Phase}] writing CRM files of {rows:N0} rows in {dir}");
        var warm = Files(dir, "warm");
        CrmFiles.Write(warm.Crm, warm.Web, o.Seed, 0, Math.Min(rows, 10_000), OnlinePercent);
        await PostAsync(ctx, warm.Web, CrmFiles.WebArguments, "warm-up web logins", ct);
        await PostAsync(ctx, warm.Crm, CrmFiles.CrmArguments, "warm-up CRM rows", ct);

        double directSeconds = 0, sendSeconds = 0, wallSeconds = 0, readSeconds = 0;
        double directNodeCpu = 0, directSenderCpu = 0, sendNodeCpu = 0, sendToolCpu = 0, importNodeCpu = 0, importToolCpu = 0;
        var rounds = new List<string>();
        var lastImported = "";
        var expectedOnline = 0;
        for (var round = 0; round < o.ImportRounds; round++)
        {
            var direct = Files(dir, $"direct-{round + 1}");
            var imported = Files(dir, $"crm-{round + 1}");
            lastImported = imported.Crm;
            CrmFiles.Write(direct.Crm, direct.Web, o.Seed, (2 * round + 1) * Million, rows, OnlinePercent);
            expectedOnline = CrmFiles.Write(imported.Crm, imported.Web, o.Seed, (2 * round + 2) * Million, rows, OnlinePercent);
            await PostAsync(ctx, direct.Web, CrmFiles.WebArguments, $"round {round + 1}: web logins of the direct file", ct);
            await PostAsync(ctx, imported.Web, CrmFiles.WebArguments, $"round {round + 1}: web logins of the imported file", ct);

            DirectRun? node = null;
            if (round % 2 == 0) node = await PostAsync(ctx, direct.Crm, CrmFiles.CrmArguments, $"round {round + 1}: CRM rows sent directly", ct);
            if (await RunToolAsync(ctx, imported.Crm, target, ct) is not { } tool) return;
            node ??= await PostAsync(ctx, direct.Crm, CrmFiles.CrmArguments, $"round {round + 1}: CRM rows sent directly", ct);
            directNodeCpu += node.Usage.NodeCpuSeconds ?? double.NaN;
            directSenderCpu += node.Usage.BenchCpuSeconds;
            sendNodeCpu += tool.Sending.Node;
            sendToolCpu += tool.Sending.Tool;
            importNodeCpu += tool.NodeCpuSeconds ?? double.NaN;
            importToolCpu += tool.ToolCpuSeconds;
            // A batch sent again after a time-out answers duplicate for the rows its first try landed.
            Expect(ctx, $"round {round + 1}", tool, new ImportSummary(rows, rows - tool.Duplicate, tool.Duplicate, 0, expectedOnline));

            directSeconds += node.Stats.Seconds;
            sendSeconds += tool.SendSeconds;
            wallSeconds += tool.WallSeconds;
            readSeconds += tool.ReadSeconds;
            rounds.Add($"round {round + 1} ({(round % 2 == 0 ? "direct first" : "import first")}): node {node.Stats.PerSecond:N0}, import {rows / tool.SendSeconds:N0} rows/s, {tool.Retries} retries");
        }

        var total = (double)rows * o.ImportRounds;
        var nodeRate = total / directSeconds;
        var sendRate = total / sendSeconds;
        ctx.Report.Add(Phase, "node ingest rate, CRM rows sent directly", nodeRate, "rows/s",
            note: $"{o.ImportRounds} x {rows:N0} rows, batches of 1000, {o.ImportParallel} requests at once; {OnlinePercent}% of the customers had a web login");
        ctx.Report.AddAtLeast(Phase, "import rate, sending (the progress bar's rows/s)", sendRate, "rows/s", 0.9 * nodeRate,
            note: $"{sendRate / nodeRate:P1} of the node's rate (target 90%); {string.Join("; ", rounds)}");
        ctx.Report.Add(Phase, "import rate, whole run", total / wallSeconds, "rows/s",
            note: $"process start to summary line: start-up, counting rows, sending, then reading every profile ({readSeconds / o.ImportRounds:0.0} s a run); {total / wallSeconds / nodeRate:P1} of the node's rate");

        // What the rates would be on a machine of their own, where the node and its client share the 2 cores and
        // nothing else: the CPU each path costs per row, which the rest of the machine's load does not change.
        double PerRow(double seconds) => seconds * 1e6 / total;
        ctx.Report.Add(Phase, "CPU per row, sent directly", PerRow(directNodeCpu + directSenderCpu), "µs",
            note: $"node {PerRow(directNodeCpu):0} µs + sender {PerRow(directSenderCpu):0} µs");
        ctx.Report.Add(Phase, "CPU per row, import while sending", PerRow(sendNodeCpu + sendToolCpu), "µs",
            note: $"node {PerRow(sendNodeCpu):0} µs + import {PerRow(sendToolCpu):0} µs (its start-up included), sampled every 0.1 s");
        ctx.Report.AddAtLeast(Phase, "import rate from CPU cost, sending", 100 * (directNodeCpu + directSenderCpu) / (sendNodeCpu + sendToolCpu), "% of the node's", 90,
            note: "CPU per row sent directly / CPU per row imported: the ratio of the rates when the two cores are theirs alone");
        ctx.Report.Add(Phase, "CPU per row, import (whole run)", PerRow(importNodeCpu + importToolCpu), "µs",
            note: $"node {PerRow(importNodeCpu):0} µs + import {PerRow(importToolCpu):0} µs, reading every profile included: " +
                  $"{100 * (directNodeCpu + directSenderCpu) / (importNodeCpu + importToolCpu):0.0}% of the direct rate by CPU cost");

        if (await RunToolAsync(ctx, lastImported, target, ct) is not { } again) return;
        ctx.Report.Add(Phase, "import rate, the last file again", rows / again.WallSeconds, "rows/s", note: again.Summary);
        Expect(ctx, "the last file again", again, new ImportSummary(rows, 0, rows, 0, expectedOnline));
        ctx.Report.Add(Phase, "machine load average (1 min), before / after", loadBefore, "",
            note: $"{loadBefore:0.0} / {LoadAverage():0.0}: the machine is shared; a load above its 2 cores slows every figure");
    }

    private static double? LoadAverage()
    {
        try
        {
            return double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static (string Crm, string Web) Files(string dir, string name) =>
        (Path.Combine(dir, $"{name}.csv"), Path.Combine(dir, $"{name}-web.csv"));

    private static void Expect(BenchContext ctx, string run, ToolRun tool, ImportSummary expected)
    {
        if (tool.Summary == expected.ToString()) return;
        ctx.Report.Problem($"{Phase}, {run}: the summary is \"{tool.Summary}\", expected \"{expected}\"");
        ctx.Failed = true;
    }

    /// <summary>The file's rows, as the import's own code makes them into request bodies (before the clock
    /// starts), posted in parallel; the node's rate for the same touchpoints the tool sends.</summary>
    private sealed record DirectRun(IngestStats Stats, PhaseUsage Usage);

    private static async Task<DirectRun> PostAsync(BenchContext ctx, string path, string[] mapping, string label, CancellationToken ct)
    {
        var options = ImportOptions.Parse([path, "--target", ctx.Writes.Targets[0].ToString(), .. mapping], _ => null);
        using var file = CrmFile.Open(path);
        var name = Path.GetFileName(path);
        var writer = new TouchpointWriter(RowMapping.Resolve(options, file.Header, name), name);
        var batches = TouchpointBatches.Read(file, writer, (row, reason) => ctx.Report.Problem($"{Phase}: {name} line {row.Line}: {reason}")).ToList();
        var total = batches.Sum(b => b.Rows.Count);
        var meter = ctx.Meter();
        var stats = await Ui.WithProgress($"{Phase}: {label}, {total:N0}", total, async progress =>
        {
            var stats = new IngestStats { Batch = TouchpointBatch.MaxSize };
            var next = -1;
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, ctx.Options.ImportParallel).Select(_ => Task.Run(async () =>
            {
                while (Interlocked.Increment(ref next) is var i && i < batches.Count)
                {
                    await Replayer.SendAsync(ctx.Writes, batches[i].Body, batches[i].Rows.Count, stats, ct).ConfigureAwait(false);
                    progress(batches[i].Rows.Count);
                }
            }, ct))).ConfigureAwait(false);
            stats.Seconds = clock.Elapsed.TotalSeconds;
            return stats;
        }).ConfigureAwait(false);
        if (stats.Accepted + stats.Duplicate != total || stats.FailedRequests > 0)
        {
            ctx.Report.Problem($"{Phase}: {label}: {stats.Accepted:N0} accepted, {stats.Duplicate:N0} duplicate, {stats.Rejected:N0} rejected of {total:N0}; {string.Join("; ", stats.Errors.Take(3))}");
            ctx.Failed = true;
        }
        return new DirectRun(stats, meter.Stop());
    }

    private sealed record ToolRun(string Summary, long Duplicate, double WallSeconds, double SendSeconds, int Retries, double ReadSeconds,
        double? NodeCpuSeconds, double ToolCpuSeconds, (double Node, double Tool) Sending);

    /// <summary>CPU seconds the node and the import had used at a time since the import started.</summary>
    private readonly record struct CpuSample(double Seconds, double Node, double Tool);

    /// <summary>Runs the import as a user does, as a process of its own, and reads its summary line and its
    /// note of how long sending and reading took.</summary>
    private static async Task<ToolRun?> RunToolAsync(BenchContext ctx, string path, Uri target, CancellationToken ct)
    {
        var tool = Path.Combine(AppContext.BaseDirectory, "Profiles.Import.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in (string[])[tool, path, "--target", target.ToString(), .. CrmFiles.CrmArguments, "--parallel", $"{ctx.Options.ImportParallel}"])
            start.ArgumentList.Add(arg);
        Ui.Info($"[{Phase}] dotnet Profiles.Import.dll {Path.GetFileName(path)} --target {target} {string.Join(' ', CrmFiles.CrmArguments)} --parallel {ctx.Options.ImportParallel}");
        var meter = ctx.Meter();
        var childrenCpu = WaitedChildrenCpuSeconds();
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var errors = process.StandardError.ReadToEndAsync(ct);
        var samples = new List<CpuSample>();
        var nodeCpu0 = NodeCpuSeconds(ctx);
        while (!process.HasExited)
        {
            if (ProcStats.CpuTime(process.Id) is { } toolCpuNow)
                samples.Add(new CpuSample(clock.Elapsed.TotalSeconds, NodeCpuSeconds(ctx) - nodeCpu0, toolCpuNow.TotalSeconds));
            await Task.Delay(100, ct).ConfigureAwait(false);
        }
        await process.WaitForExitAsync(ct).ConfigureAwait(false);
        var wall = clock.Elapsed.TotalSeconds;
        var usage = meter.Stop();
        var toolCpu = WaitedChildrenCpuSeconds() - childrenCpu;
        var summary = (await output.ConfigureAwait(false)).Trim();
        var note = SentNote().Match(await errors.ConfigureAwait(false));
        var counts = SummaryLine().Match(summary);
        if (process.ExitCode != 0 || !note.Success || !counts.Success)
        {
            ctx.Report.Problem($"{Phase}: the import exited with {process.ExitCode}: {summary} {await errors.ConfigureAwait(false)}");
            ctx.Failed = true;
            return null;
        }
        double Number(int group) => double.Parse(note.Groups[group].Value, CultureInfo.InvariantCulture);
        // Sending ends where reading the profiles begins: the read phase, as long as the import says, before the end.
        var sent = samples.LastOrDefault(x => x.Seconds <= wall - Number(3));
        return new ToolRun(summary, long.Parse(counts.Groups[1].Value, CultureInfo.InvariantCulture), wall, Number(1), (int)Number(2), Number(3),
            usage.NodeCpuSeconds, toolCpu, (sent.Node, sent.Tool));
    }

    private static double NodeCpuSeconds(BenchContext ctx) =>
        ctx.Options.NodePids.Sum(pid => ProcStats.CpuTime(pid)?.TotalSeconds ?? 0);

    // The CPU of this process's children that have exited and been waited for (cutime + cstime of
    // /proc/self/stat): the import's, once its process has ended.
    private static double WaitedChildrenCpuSeconds()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture)) / 100.0;
    }

    // The note the import writes to standard error: "sent N rows in X s (R rows/s, T retries); read P profiles in Y s".
    [GeneratedRegex(@"sent \d+ rows in ([\d.]+) s \(\d+ rows/s, (\d+) retries\); read \d+ profiles in ([\d.]+) s")]
    private static partial Regex SentNote();

    [GeneratedRegex(@"^\d+ rows: \d+ accepted, (\d+) duplicate,")]
    private static partial Regex SummaryLine();
}
