using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Profiles.Import;

namespace Profiles.Bench.Scenarios;

/// <summary>
/// Issue 16: the CRM onboarding import against the node's own ingest rate for the same rows. Two CRM files of
/// <c>--import-rows</c> customers each, alike but for their customers: the first is turned into request bodies by
/// the import's own code and posted directly (batches of 1000, <c>--import-parallel</c> requests at once), the
/// second is imported by the tool run as a user runs it, with the same parallelism. Each file's web logins are
/// sent first, unmeasured, so the import has online profiles to reconcile with. The direct send goes first, on
/// the smaller store: if anything, that favours the node's figure. The import then runs a second time, which
/// must answer duplicate for every row and report the same match.
/// </summary>
public static partial class ImportScenario
{
    private const string Phase = "import";
    private const int OnlinePercent = 30;

    // Customer ranges of the three files; CrmFiles keeps phones distinct below 10,000,000.
    private const int WarmFrom = 0, DirectFrom = 1_000_000, ImportFrom = 2_000_000;

    public static async Task RunAsync(BenchContext ctx, CancellationToken ct)
    {
        var o = ctx.Options;
        var rows = o.ImportRows;
        var target = ctx.Writes.Targets[0];
        var dir = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(o.Out))!, "import");
        Ui.Info($"[{Phase}] writing CRM files of {rows:N0} rows in {dir}");
        var warm = Files(dir, "warm");
        var direct = Files(dir, "direct");
        var imported = Files(dir, "crm");
        CrmFiles.Write(warm.Crm, warm.Web, o.Seed, WarmFrom, Math.Min(rows, 10_000), OnlinePercent);
        var directOnline = CrmFiles.Write(direct.Crm, direct.Web, o.Seed, DirectFrom, rows, OnlinePercent);
        var expectedOnline = CrmFiles.Write(imported.Crm, imported.Web, o.Seed, ImportFrom, rows, OnlinePercent);

        await PostAsync(ctx, warm.Web, CrmFiles.WebArguments, "warm-up web logins", ct);
        await PostAsync(ctx, warm.Crm, CrmFiles.CrmArguments, "warm-up CRM rows", ct);

        await PostAsync(ctx, direct.Web, CrmFiles.WebArguments, "web logins of the direct file", ct);
        var node = await PostAsync(ctx, direct.Crm, CrmFiles.CrmArguments, "CRM rows sent directly", ct);
        ctx.Report.Add(Phase, "node ingest rate, CRM rows sent directly", node.PerSecond, "rows/s",
            note: $"{rows:N0} rows, batches of 1000, {o.ImportParallel} requests at once; {node.Accepted:N0} accepted; {directOnline:N0} customers had a web login");

        await PostAsync(ctx, imported.Web, CrmFiles.WebArguments, "web logins of the imported file", ct);
        if (await RunToolAsync(ctx, imported.Crm, target, ct) is not { } first) return;
        var sendRate = first.SentRows / first.SendSeconds;
        ctx.Report.AddAtLeast(Phase, "import rate, sending (the progress bar's rows/s)", sendRate, "rows/s", 0.9 * node.PerSecond,
            note: $"{sendRate / node.PerSecond:P1} of the node's rate; target 90%");
        ctx.Report.Add(Phase, "import rate, whole run", rows / first.WallSeconds, "rows/s",
            note: $"{first.WallSeconds:0.0} s from process start to summary: start-up, counting rows, sending, reading {first.ProfilesRead:N0} profiles in {first.ReadSeconds:0.0} s; {rows / first.WallSeconds / node.PerSecond:P1} of the node's rate");
        Expect(ctx, "first run", first.Summary, new ImportSummary(rows, rows, 0, 0, expectedOnline));

        if (await RunToolAsync(ctx, imported.Crm, target, ct) is not { } again) return;
        ctx.Report.Add(Phase, "import rate, same file again", rows / again.WallSeconds, "rows/s", note: again.Summary);
        Expect(ctx, "second run", again.Summary, new ImportSummary(rows, 0, rows, 0, expectedOnline));
    }

    private static (string Crm, string Web) Files(string dir, string name) =>
        (Path.Combine(dir, $"{name}.csv"), Path.Combine(dir, $"{name}-web.csv"));

    private static void Expect(BenchContext ctx, string run, string summary, ImportSummary expected)
    {
        if (summary == expected.ToString()) return;
        ctx.Report.Problem($"{Phase}, {run}: the summary is \"{summary}\", expected \"{expected}\"");
        ctx.Failed = true;
    }

    /// <summary>The file's rows, as the import's own code makes them into request bodies (before the clock
    /// starts), posted in parallel; the node's rate for the same touchpoints the tool sends.</summary>
    private static async Task<IngestStats> PostAsync(BenchContext ctx, string path, string[] mapping, string label, CancellationToken ct)
    {
        var options = ImportOptions.Parse([path, "--target", ctx.Writes.Targets[0].ToString(), .. mapping], _ => null);
        using var file = CrmFile.Open(path);
        var name = Path.GetFileName(path);
        var writer = new TouchpointWriter(RowMapping.Resolve(options, file.Header, name), name);
        var batches = TouchpointBatches.Read(file, writer, (row, reason) => ctx.Report.Problem($"{Phase}: {name} line {row.Line}: {reason}")).ToList();
        var total = batches.Sum(b => b.Rows.Count);
        var stats = await Ui.WithProgress($"{Phase}: {label}, {total:N0}", total, async progress =>
        {
            var stats = new IngestStats { Batch = TouchpointBatches.MaxBatch };
            var next = -1;
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, ctx.Options.ImportParallel).Select(_ => Task.Run(async () =>
            {
                var scratch = new ResponseBuffer();
                while (Interlocked.Increment(ref next) is var i && i < batches.Count)
                {
                    await Replayer.SendAsync(ctx.Writes, batches[i].Body, batches[i].Rows.Count, scratch, stats, ct).ConfigureAwait(false);
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
        return stats;
    }

    private sealed record ToolRun(string Summary, double WallSeconds, long SentRows, double SendSeconds, long ProfilesRead, double ReadSeconds);

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
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var errors = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct).ConfigureAwait(false);
        var wall = clock.Elapsed.TotalSeconds;
        var summary = (await output.ConfigureAwait(false)).Trim();
        var note = SentNote().Match(await errors.ConfigureAwait(false));
        if (process.ExitCode != 0 || !note.Success)
        {
            ctx.Report.Problem($"{Phase}: the import exited with {process.ExitCode}: {summary} {await errors.ConfigureAwait(false)}");
            ctx.Failed = true;
            return null;
        }
        double Number(int group) => double.Parse(note.Groups[group].Value, CultureInfo.InvariantCulture);
        return new ToolRun(summary, wall, (long)Number(1), Number(2), (long)Number(3), Number(4));
    }

    // The note the import writes to standard error: "sent N rows in X s (...); read P profiles in Y s".
    [GeneratedRegex(@"sent (\d+) rows in ([\d.]+) s .*; read (\d+) profiles in ([\d.]+) s")]
    private static partial Regex SentNote();
}
