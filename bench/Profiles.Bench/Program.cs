using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using Profiles.Bench;
using Profiles.Bench.Faults;
using Profiles.Bench.Scenarios;
using Profiles.Contracts;

Options options;
try
{
    options = Options.Parse(args);
}
catch (UsageException e)
{
    if (e.Message.Length > 0) Console.Error.WriteLine($"error: {e.Message}\n");
    Console.Error.WriteLine(Options.Usage);
    return e.Message.Length > 0 ? 2 : 0;
}
Ui.NoProgress = options.NoProgress;

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
var ct = cts.Token;

if (options.ServePostgres is { } connectionFile) return await ServedPostgres.ServeAsync(connectionFile, ct);

if (options.Scenario == "faults")
{
    // A campaign leaves processes and firewall rules behind unless it unwinds: SIGTERM cancels it as Ctrl-C does.
    using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
    {
        signal.Cancel = true;
        cts.Cancel();
    });
    return await FaultCampaign.RunAsync(options, ct);
}

var timeout = TimeSpan.FromSeconds(options.TimeoutSeconds);
using var writes = new Nodes(options.Targets, Math.Max(64, options.Writers * 2), timeout);
using var reads = new Nodes(options.Targets, 1024, timeout);
var report = new Report
{
    Machine = MachineInfo.Read(),
    CommandLine = Environment.GetEnvironmentVariable("PROFILES_BENCH_COMMAND")
                  ?? "dotnet run -c Release --project bench/Profiles.Bench -- " + string.Join(' ', args.Select(Quote)),
    Mode = options.Mode,
    Targets = options.Targets.Select(t => t.ToString()).ToArray(),
};
var ctx = new BenchContext(options, report, writes, reads);

// Every node must answer before anything is measured.
foreach (var target in options.Targets)
{
    try
    {
        var probe = await reads.On(target).LookupAsync(new IdentifierInput("email", "x@y.zz"), ct);
        if (probe.Status != HttpStatusCode.NotFound && probe.Status != HttpStatusCode.OK)
            Ui.Warn($"{target}: the probe lookup answered {ProfileReport.Refusal(probe)} (expected 404)");
    }
    catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
    {
        Console.Error.WriteLine($"error: node {target} does not answer: {e.Message}");
        return 3;
    }
}

if (options.RedisBenchmarkFile is { } rb) AddRedisCeiling(report, rb);
report.Details["options"] = new
{
    options.Seed, options.Customers, options.Writers, batches = options.BatchSizes, options.LookupRate, options.LookupSeconds,
    options.Scenario, options.HotTouchpoints, options.MergeSize, options.MergeRepeats, options.Sample,
    options.LiveSubscribers, options.LiveRounds, options.LiveRate, options.LiveChurn, options.ImportRows, options.ImportParallel, options.ImportRounds,
    options.ClientWatchers, options.ClientLookups, options.ClientRounds, phases = options.IngestPhases, options.IngestRate, options.RedisEndpoint,
    options.SplitSize, options.SplitRepeats, options.TabletLogins,
};
if (options.RedisEndpoint is { } endpoint)
{
    try
    {
        ctx.Redis = await RedisProbe.ConnectAsync(endpoint, ct);
        ctx.RedisBaseline = await ctx.Redis.InfoAsync();
    }
    catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException)
    {
        Ui.Warn($"--redis-endpoint {endpoint}: {e.Message}; no Redis figures");
    }
}
var idle = ctx.Meter().Stop();
report.Add("start", "node RSS before load", idle.NodeRssKiB / 1024.0, "MiB",
    note: options.NodePids.Count == 0 ? "no --node-pid" : $"pid {string.Join(",", options.NodePids)}");

var scenario = options.Scenario;
try
{
    await Warmup.RunAsync(ctx, ct);
    if (scenario is "ingest" or "all")
        foreach (var phase in options.IngestPhases)
            // "warm" is the population after the cold one; alone, it is the first after the start (and the warm-up).
            await IngestScenario.RunAsync(ctx, phase == "warm" && !options.IngestPhases.Contains("cold") ? $"ingest first (warm-up {options.Warmup:N0})" : $"ingest {phase}", options.Customers, lookups: true, options.Sample, ingestTarget: "ingest", ct,
                options.IngestRate);
    if (scenario is "hot" or "all")
        await HotScenario.RunAsync(ctx, ct);
    if (scenario is "merge" or "all")
        await MergeScenario.RunAsync(ctx, ct);
    if (scenario is "split" or "all")
        await SplitScenario.RunAsync(ctx, ct);
    // Not in all: re-resolving shared tablets under 16 writers is far slower than any other ingest, and a run of all
    // at its --customers would take most of the run's time.
    if (scenario is "tablets")
        await TabletsScenario.RunAsync(ctx, ct);
    // Not in all: a comparison of two doors, not a figure of the node's own.
    if (scenario is "segment")
        await SegmentScenario.RunAsync(ctx, ct);
    // Not in all: it needs a node with a history tier (run.sh starts one for it alone).
    if (scenario is "history")
        await HistoryScenario.RunAsync(ctx, ct);
    if (scenario is "scale" or "all")
        await ScaleScenario.RunAsync(ctx, ct);
    if (scenario is "import" or "all")
        await ImportScenario.RunAsync(ctx, ct);
    if (scenario is "client" or "all")
        await ClientScenario.RunAsync(ctx, ct);
    if (scenario is "live" or "all")
        await LiveScenario.RunAsync(ctx, ct);
}
catch (OperationCanceledException)
{
    report.Problem("interrupted");
    ctx.Failed = true;
}
catch (NodeDownException e)
{
    report.Problem($"aborted: {e.Message}");
    ctx.Failed = true;
}
catch (HttpRequestException e)
{
    report.Problem($"aborted: {e.Message}");
    ctx.Failed = true;
}

var markdown = report.ToMarkdown();
Console.Out.Write(markdown);
Console.Out.Flush();
try
{
    report.WriteJson(options.Out);
    Console.Error.WriteLine($"results: {Path.GetFullPath(options.Out)}");
}
catch (IOException e)
{
    Console.Error.WriteLine($"could not write {options.Out}: {e.Message}");
}
ctx.Redis?.Dispose();
return ctx.Failed ? 1 : 0;

static string Quote(string a) => a.Length == 0 || a.Any(char.IsWhiteSpace) ? $"'{a}'" : a;

// redis-benchmark -q prints "SET: 123456.79 requests per second, p50=0.175 msec".
static void AddRedisCeiling(Report report, string path)
{
    if (!File.Exists(path))
    {
        report.Add("redis ceiling", "redis-benchmark", null, "", note: "n/a: no redis-benchmark output");
        return;
    }
    var any = false;
    foreach (var raw in File.ReadAllLines(path))
    {
        var line = raw.Contains('\r') ? raw[(raw.LastIndexOf('\r') + 1)..] : raw;
        var colon = line.IndexOf(':');
        var rps = line.IndexOf("requests per second", StringComparison.Ordinal);
        if (colon <= 0 || rps < 0) continue;
        var name = line[..colon].Trim();
        if (!double.TryParse(line[(colon + 1)..rps].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value)) continue;
        var p50 = line.IndexOf("p50=", StringComparison.Ordinal);
        var note = p50 >= 0 ? line[p50..].Trim() : null;
        report.Add("redis ceiling", $"redis-benchmark {name}", value, "ops/s", note: note);
        any = true;
    }
    if (!any) report.Add("redis ceiling", "redis-benchmark", null, "", note: "n/a: " + string.Join(" ", File.ReadAllLines(path).Take(2)));
}
