using System.Globalization;
using Profiles.Bench.Faults;
using Profiles.Bench.Scenarios;
using Profiles.Contracts;
using Profiles.Import;

namespace Profiles.Bench;

/// <summary>Command-line options of the generator. Every option is <c>--name value</c> (or <c>--name=value</c>);
/// <c>--target</c>, <c>--node-pid</c> and <c>--batch</c> may repeat or hold comma-separated lists.</summary>
public sealed class Options
{
    public List<Uri> Targets { get; } = [];
    public List<int> NodePids { get; } = [];
    public int Seed { get; set; } = 42;
    public int Customers { get; set; } = 5000;
    public int Writers { get; set; } = 16;
    public List<int> Batches { get; } = [];
    public int LookupRate { get; set; } = 1000;
    public double LookupSeconds { get; set; } = 5;
    public int IdleLookupRate { get; set; } = 200;
    public double IdleLookupSeconds { get; set; } = 5;
    public string Scenario { get; set; } = "ingest";
    public int HotTouchpoints { get; set; } = 100_000;
    public int HotJourneyLimit { get; set; } = 50;
    public int DeepPages { get; set; } = 200;
    public int MergeSize { get; set; } = 10_000;
    public int MergeRepeats { get; set; } = 3;
    public int Sample { get; set; } = 200;
    public string Out { get; set; } = "bench/results/result.json";
    public string? RedisBenchmarkFile { get; set; }
    public string Mode { get; set; } = "unknown";
    public bool NoProgress { get; set; }
    public int TimeoutSeconds { get; set; } = 120;
    public int Warmup { get; set; } = 3000;
    public int LiveSubscribers { get; set; } = 100;
    public int LiveRounds { get; set; } = 2000;
    public int LiveRate { get; set; } = 200;
    public int LiveChurn { get; set; } = 1000;
    public int ImportRows { get; set; } = 100_000;
    public int ImportParallel { get; set; } = ImportOptions.DefaultParallel;
    public int ImportRounds { get; set; } = 2;
    public List<string> Gateways { get; } = [];
    public string ClusterId { get; set; } = "profiles";
    public int ClientWatchers { get; set; } = 100;
    public int ClientLookups { get; set; } = 5000;
    public int ClientRounds { get; set; } = 2000;
    public int SplitSize { get; set; } = 10_000;
    public int SplitRepeats { get; set; } = 3;
    public int TabletLogins { get; set; } = 2;
    /// <summary>Ingest phases of the ingest scenario: "cold" (the first after the node starts) and/or "warm" (a fresh
    /// population of the same size replayed right after, on the warmed node).</summary>
    public List<string> Phases { get; } = [];
    /// <summary>Touchpoints per second the ingest phases are paced at (0 = as fast as the writers go).</summary>
    public int IngestRate { get; set; }
    /// <summary>host:port of the node's Redis, for commands, CPU and memory per touchpoint (run.sh passes it with --redis).</summary>
    public string? RedisEndpoint { get; set; }

    /// <summary>Schedules of the fault campaign, each with the next seed.</summary>
    public int Schedules { get; set; } = 1;
    /// <summary>The folder of the Profiles.Silo build the fault campaign runs its nodes from (run.sh passes it).</summary>
    public string? Silo { get; set; }
    /// <summary>The fault campaign's store: a Redis Cluster of three masters with a replica each, not one redis-server.</summary>
    public bool RedisCluster { get; set; }
    /// <summary>Seconds over which a fault schedule sends its population.</summary>
    public double LoadSeconds { get; set; } = FaultCampaign.DefaultLoadSeconds;

    /// <summary>The Npgsql connection string of the node's history tier (run.sh passes it with --scenario history).</summary>
    public string? Postgres { get; set; }
    /// <summary>The node's Profiles:History:HotDays: items older than that many days are due to move.</summary>
    public int HotDays { get; set; } = HistoryScenario.DefaultHotDays;
    /// <summary>Not a run: start a PostgreSQL, write its connection string to this file and serve until SIGTERM.</summary>
    public string? ServePostgres { get; set; }

    public IReadOnlyList<string> IngestPhases => Phases.Count == 0 ? ["cold", "warm"] : Phases;

    /// <summary>The port of <see cref="RedisEndpoint"/>, for the split scenario's redis-cli.</summary>
    public int? RedisPort => RedisEndpoint is { } endpoint && int.TryParse(endpoint[(endpoint.LastIndexOf(':') + 1)..], out var port) ? port : null;

    public IReadOnlyList<int> BatchSizes => Batches.Count == 0 ? [100] : Batches;

    public static string Usage => $$"""
        Profiles.Bench — load generator for Profiles nodes (the HTTP API: touchpoints in, profiles out).

          --target URL            node base address, repeatable or comma-separated (default http://127.0.0.1:5080)
          --scenario NAME         ingest | hot | merge | split | scale | import | live | client | all | tablets | segment
                                  | history | faults (default ingest; all runs every one but tablets, segment, history and faults)
          --seed N                population seed (default 42); ids are bench-{seed}-...
          --customers N           customers in the population (default 5000)
          --writers C             concurrent writers (default 16)
          --batch B[,B2...]       touchpoints per POST (default 100); several values split the replay in slices
          --lookup-rate R         lookups/s issued open-loop during ingest and after it (0 = none; default 1000)
          --phases P[,P2]         ingest scenario phases: cold (first after the node starts), warm (a fresh population
                                  of the same size replayed right after); default cold,warm
          --ingest-rate N         pace ingest at N touchpoints/s (0 = as fast as the writers go; default 0), so lookup
                                  latency is measured at a fixed ingest rate
          --redis-endpoint H:P    the node's Redis: Redis commands, CPU and bytes per touchpoint (run.sh passes it with --redis)
          --lookup-seconds S      duration of the post-ingest lookup phase (default 5)
          --idle-lookup-rate R    lookups/s on the idle node after ingest, full and fields=computed,audiences (default 200)
          --idle-lookup-seconds S duration of each idle lookup phase (default 5; 0 = none)
          --sample N              customers checked for correctness at the end (default 200)
          --hot-touchpoints N     touchpoints into the one hot profile (default 100000)
          --deep-pages N          random deep journey pages fetched again (default 200)
          --merge-size N          touchpoints on each side of a merge (default 10000)
          --merge-repeats N       merges timed (default 3)
          --split-size N          touchpoints of the one profile the split scenario splits (default 10000, at least 3)
          --split-repeats N       unlink/relink cycles timed on that profile (default 3)
          --tablet-logins N       tablet logins per customer in the tablets scenario (default 2; --customers sets C)
          --live-subscribers N    concurrent SSE subscribers of the live scenario, one customer each (default 100)
          --live-rounds R         touchpoints timed from their 200 to the subscriber's event (default 2000)
          --live-rate N           rounds per second, open loop (default 200)
          --live-churn N          connect/read first event/disconnect cycles on one stream (default 1000)
          --import-rows N         rows of each CRM file of the import scenario (default 100000, at most 1000000)
          --import-parallel N     requests in flight, for the import and the direct send alike (default {{ImportOptions.DefaultParallel}})
          --import-rounds N       rounds of direct send and import, alternating which goes first (default 2, at most 4)
          --gateway HOST:PORT     a node's Orleans gateway, for the client scenario; repeatable (run.sh passes them)
          --cluster-id ID         the nodes' Profiles:ClusterId (default profiles)
          --client-watchers N     customers watched through Profiles.Client, at least 8 (default 100)
          --client-lookups N      lookups through the client, and as many over HTTP (default 5000)
          --client-rounds R       touchpoints timed from their 200 to the client's watch (default 2000)
          --schedules N           faults: schedules run, seeds --seed, --seed + 1, ... (default 1); each starts its own
                                  Redis and 3 nodes, needs root (iptables), and takes about a minute
          --silo DIR              faults: the folder of the Profiles.Silo build the nodes run (run.sh passes it)
          --redis-cluster         faults: a Redis Cluster of 3 masters with a replica each instead of one redis-server
          --load-seconds S        faults: seconds over which each schedule sends its population (default {{FaultCampaign.DefaultLoadSeconds}});
                                  faults defaults to --customers {{FaultCampaign.DefaultCustomers}} --batch {{FaultCampaign.DefaultBatch}} --out {{FaultCampaign.DefaultOut}}
          --postgres CONN         history: the node's history tier, an Npgsql connection string (run.sh passes it)
          --hot-days N            history: the node's Profiles:History:HotDays (default {{HistoryScenario.DefaultHotDays}}, run.sh passes it);
                                  history defaults to --customers {{HistoryScenario.DefaultCustomers}} --warmup 0
          --serve-postgres FILE   no run: start a PostgreSQL on a free loopback port, write its connection string to
                                  FILE and serve until SIGTERM (run.sh starts the history scenario's this way)
          --node-pid PID          node process for RSS/CPU, repeatable
          --redis-benchmark-file  output of redis-benchmark -q to include in the report
          --mode TEXT             label of the node mode (embedded / redis) for the report
          --out PATH              JSON result file (default bench/results/result.json)
          --warmup N              touchpoints of a separate population sent first, unmeasured (default 3000)
          --timeout S             HTTP timeout per request in seconds (default 120)
          --no-progress           no progress bars
        """;

    public static Options Parse(string[] args)
    {
        var o = new Options();
        var given = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg is "-h" or "--help") throw new UsageException(null);
            if (!arg.StartsWith("--", StringComparison.Ordinal)) throw new UsageException($"unexpected argument '{arg}'");
            string name;
            string? inline = null;
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0) { name = arg[2..eq]; inline = arg[(eq + 1)..]; }
            else name = arg[2..];

            given.Add(name);
            if (name == "no-progress") { o.NoProgress = true; continue; }
            if (name == "redis-cluster") { o.RedisCluster = true; continue; }
            string Value()
            {
                if (inline is not null) return inline;
                if (i + 1 >= args.Length) throw new UsageException($"--{name} needs a value");
                return args[++i];
            }
            int Int() => int.TryParse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= 0
                ? v : throw new UsageException($"--{name} needs a non-negative integer");
            double Seconds() => double.TryParse(Value(), NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s >= 0
                ? s : throw new UsageException($"--{name} needs a number");

            switch (name)
            {
                case "target":
                    foreach (var t in Split(Value()))
                        o.Targets.Add(Uri.TryCreate(t.TrimEnd('/') + "/", UriKind.Absolute, out var u)
                            ? u : throw new UsageException($"bad --target '{t}'"));
                    break;
                case "node-pid":
                    foreach (var p in Split(Value()))
                        o.NodePids.Add(int.TryParse(p, out var pid) ? pid : throw new UsageException($"bad --node-pid '{p}'"));
                    break;
                case "batch":
                    foreach (var b in Split(Value()))
                        o.Batches.Add(int.TryParse(b, out var bs) && bs is >= 1 and <= TouchpointBatch.MaxSize ? bs : throw new UsageException($"--batch must be 1..{TouchpointBatch.MaxSize}, got '{b}'"));
                    break;
                case "seed": o.Seed = Int(); break;
                case "customers": o.Customers = Math.Max(1, Int()); break;
                case "writers": o.Writers = Math.Max(1, Int()); break;
                case "lookup-rate": o.LookupRate = Int(); break;
                case "lookup-seconds": o.LookupSeconds = Seconds(); break;
                case "idle-lookup-rate": o.IdleLookupRate = Int(); break;
                case "idle-lookup-seconds": o.IdleLookupSeconds = Seconds(); break;
                case "sample": o.Sample = Int(); break;
                case "hot-touchpoints": o.HotTouchpoints = Math.Max(1, Int()); break;
                case "hot-journey-limit": o.HotJourneyLimit = Math.Clamp(Int(), 1, 500); break;
                case "deep-pages": o.DeepPages = Int(); break;
                case "merge-size": o.MergeSize = Math.Max(1, Int()); break;
                case "merge-repeats": o.MergeRepeats = Math.Max(1, Int()); break;
                case "split-size": o.SplitSize = Math.Max(3, Int()); break;
                case "split-repeats": o.SplitRepeats = Math.Max(1, Int()); break;
                case "tablet-logins": o.TabletLogins = Math.Clamp(Int(), 1, 100); break;
                case "out": o.Out = Value(); break;
                case "redis-benchmark-file": o.RedisBenchmarkFile = Value(); break;
                case "mode": o.Mode = Value(); break;
                case "warmup": o.Warmup = Int(); break;
                case "timeout": o.TimeoutSeconds = Math.Max(1, Int()); break;
                case "live-subscribers": o.LiveSubscribers = Math.Max(1, Int()); break;
                case "live-rounds": o.LiveRounds = Int(); break;
                case "live-rate": o.LiveRate = Math.Max(1, Int()); break;
                case "live-churn": o.LiveChurn = Int(); break;
                case "import-rows": o.ImportRows = Math.Clamp(Int(), 1, 1_000_000); break;
                case "import-parallel": o.ImportParallel = Math.Clamp(Int(), 1, 64); break;
                case "import-rounds": o.ImportRounds = Math.Clamp(Int(), 1, ImportScenario.MaxRounds); break;

                case "gateway": o.Gateways.Add(Value()); break;
                case "cluster-id": o.ClusterId = Value(); break;
                case "ingest-rate": o.IngestRate = Int(); break;
                case "redis-endpoint": o.RedisEndpoint = Value(); break;
                case "phases":
                    foreach (var ph in Split(Value()))
                        o.Phases.Add(ph is "cold" or "warm" ? ph : throw new UsageException($"--phases takes cold and/or warm, got '{ph}'"));
                    break;
                case "client-watchers": o.ClientWatchers = Math.Max(8, Int()); break;
                case "client-lookups": o.ClientLookups = Math.Max(1, Int()); break;
                case "client-rounds": o.ClientRounds = Int(); break;
                case "schedules": o.Schedules = Math.Max(1, Int()); break;
                case "silo": o.Silo = Value(); break;
                case "load-seconds": o.LoadSeconds = Math.Max(10, Seconds()); break;
                case "postgres": o.Postgres = Value(); break;
                case "hot-days": o.HotDays = Int(); break;
                case "serve-postgres": o.ServePostgres = Value(); break;

                case "scenario":
                    o.Scenario = Value().ToLowerInvariant();
                    if (o.Scenario is not ("ingest" or "hot" or "merge" or "split" or "tablets" or "scale" or "import" or "live" or "client" or "segment" or "history" or "all" or "faults"))
                        throw new UsageException($"unknown scenario '{o.Scenario}'");
                    break;
                default: throw new UsageException($"unknown option --{name}");
            }
        }
        if (o.Targets.Count == 0) o.Targets.Add(new Uri("http://127.0.0.1:5080/"));
        if (o.Scenario == "faults")
        {
            // A schedule checks every customer and every journey after its load: a smaller population than the
            // ingest's, in batches small enough that a fault meets many of them.
            if (!given.Contains("customers")) o.Customers = FaultCampaign.DefaultCustomers;
            if (!given.Contains("batch")) o.Batches.Add(FaultCampaign.DefaultBatch);
            if (!given.Contains("out")) o.Out = FaultCampaign.DefaultOut;
        }
        else if (o.Scenario == "history")
        {
            // A year of journeys per customer, and no warm-up: its touchpoints would be in the memory measured.
            if (!given.Contains("customers")) o.Customers = HistoryScenario.DefaultCustomers;
            if (!given.Contains("warmup")) o.Warmup = 0;
        }
        if (o.RedisCluster && o.Scenario != "faults") throw new UsageException("--redis-cluster is an option of --scenario faults (run.sh starts a Redis Cluster for the others)");
        return o;
    }

    private static IEnumerable<string> Split(string v) =>
        v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

public sealed class UsageException(string? message) : Exception(message ?? "");
