using System.Diagnostics;
using System.Globalization;
using Profiles.Testing;

namespace Profiles.Bench.Faults;

/// <summary>The Redis of a schedule, every server with the append-only file on (<c>appendfsync everysec</c>, the setting
/// docs/DEPLOY.md documents, under which a crash of the Redis process loses nothing) and logging to the schedule's
/// folder. <see cref="CrashAsync"/> and <see cref="RecoverAsync"/> are its fault and its healing.</summary>
public abstract class FaultStore : IAsyncDisposable
{
    /// <summary>What the nodes are given as <c>Profiles:Redis</c>.</summary>
    public abstract string ConnectionString { get; }

    /// <summary>Every port a node may talk to: what a cut from Redis drops.</summary>
    public abstract IReadOnlyList<int> Ports { get; }

    /// <summary>What a node on this store is configured with beyond its address, as a deployment of it would be.</summary>
    public virtual IReadOnlyList<string> NodeSettings => [];

    public static async Task<FaultStore> StartAsync(bool cluster, string logFolder) =>
        cluster ? await ReplicatedCluster.StartAsync(logFolder).ConfigureAwait(false) : await OneServer.StartAsync(logFolder).ConfigureAwait(false);

    /// <summary>SIGKILLs the server, or the master <paramref name="target"/> of a cluster and waits for its replica to
    /// take over.</summary>
    public abstract Task CrashAsync(int target, CancellationToken ct);

    /// <summary>Starts the crashed server again on its folder (a cluster's, as a replica of the master that took over)
    /// and waits until it serves.</summary>
    public abstract Task RecoverAsync(int target, CancellationToken ct);

    public abstract ValueTask DisposeAsync();

    private static string[] LogTo(string logFolder, int server) => ["--logfile", Path.Combine(logFolder, $"redis-{server + 1}.log")];

    /// <summary>One redis-server: a crash makes every node answer 503 until it is back.</summary>
    private sealed class OneServer(RedisServer server) : FaultStore
    {
        public override string ConnectionString => server.ConnectionString;

        public override IReadOnlyList<int> Ports => [server.Port];

        public static async Task<OneServer> StartAsync(string logFolder) =>
            new(await RedisServer.StartAsync(LogTo(logFolder, 0)).ConfigureAwait(false));

        public override Task CrashAsync(int target, CancellationToken ct) => server.KillAsync();

        public override Task RecoverAsync(int target, CancellationToken ct) => server.StartAgainAsync();

        public override ValueTask DisposeAsync() => server.DisposeAsync();
    }

    /// <summary>
    /// A Redis Cluster of three masters, each with a replica (<c>redis-cli --cluster create --cluster-replicas 1</c>),
    /// node timeout 5 s. A master killed is failed over to its replica after the timeout; started again, it finds its
    /// slots taken and follows the new master.
    /// </summary>
    private sealed class ReplicatedCluster(IReadOnlyList<RedisServer> servers) : FaultStore
    {
        private static readonly TimeSpan FailoverLimit = TimeSpan.FromSeconds(60);
        private RedisServer? _crashed;

        public override string ConnectionString => string.Join(',', servers.Select(s => s.ConnectionString));

        // Replication is asynchronous: without waiting for the replica, a failover may drop writes the master had
        // acknowledged a moment before it died (docs/OPERATIONS.md, "Replicated Redis").
        public override IReadOnlyList<string> NodeSettings => ["--Profiles:WaitReplicas=1"];

        public override IReadOnlyList<int> Ports => [.. servers.Select(s => s.Port)];

        public static async Task<ReplicatedCluster> StartAsync(string logFolder)
        {
            var started = new List<RedisServer>();
            try
            {
                for (var i = 0; i < 6; i++)
                {
                    // The cluster bus port is the data port + 10,000 unless named, and nothing says that one is free.
                    started.Add(await RedisServer.StartAsync([.. LogTo(logFolder, i), "--cluster-enabled", "yes",
                        "--cluster-port", Port(FreePort.Next()), "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "5000"]).ConfigureAwait(false));
                }
                var cluster = new ReplicatedCluster(started);
                var (exit, output) = await RedisCliAsync(["--cluster", "create", .. started.Select(s => s.ConnectionString), "--cluster-replicas", "1", "--cluster-yes"]).ConfigureAwait(false);
                if (exit != 0) throw new InvalidOperationException($"redis-cli --cluster create failed: {output}");
                await UntilAsync(cluster.EveryServerServesAsync, "the cluster never served", CancellationToken.None).ConfigureAwait(false);
                return cluster;
            }
            catch
            {
                foreach (var server in started) await server.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        public override async Task CrashAsync(int target, CancellationToken ct)
        {
            var masters = (await RolesAsync().ConfigureAwait(false)).Where(r => r.Role == "master").OrderBy(r => r.Server.Port).ToArray();
            var victim = masters[target % masters.Length].Server;
            _crashed = victim;
            await victim.KillAsync().ConfigureAwait(false);
            await UntilAsync(async () =>
            {
                var roles = await RolesAsync().ConfigureAwait(false);
                return roles.Count(r => r.Role == "master") == masters.Length && await ClusterOkAsync(roles.Select(r => r.Server)).ConfigureAwait(false);
            }, $"no replica took over from the master on port {victim.Port}", ct).ConfigureAwait(false);
        }

        public override async Task RecoverAsync(int target, CancellationToken ct)
        {
            if (_crashed is not { } crashed) return;
            await crashed.StartAgainAsync().ConfigureAwait(false);
            _crashed = null;
            await UntilAsync(async () =>
                (await crashed.CliAsync("info", "replication").ConfigureAwait(false)).Contains("master_link_status:up", StringComparison.Ordinal)
                && await EveryServerServesAsync().ConfigureAwait(false),
                $"the former master on port {crashed.Port} never followed the new one", ct).ConfigureAwait(false);
        }

        public override async ValueTask DisposeAsync()
        {
            foreach (var server in servers) await server.DisposeAsync().ConfigureAwait(false);
        }

        private async Task<bool> EveryServerServesAsync() => await ClusterOkAsync(servers).ConfigureAwait(false)
            && (await RolesAsync().ConfigureAwait(false)).Count(r => r.Role == "master") == servers.Count / 2;

        /// <summary>The role (<c>master</c> or <c>slave</c>) of every server that answers.</summary>
        private async Task<(RedisServer Server, string Role)[]> RolesAsync()
        {
            var roles = await Task.WhenAll(servers.Select(async s => (Server: s, Role: (await s.CliAsync("role").ConfigureAwait(false)).Split('\n')[0].Trim()))).ConfigureAwait(false);
            return [.. roles.Where(r => r.Role is "master" or "slave")];
        }

        private static async Task<bool> ClusterOkAsync(IEnumerable<RedisServer> answering)
        {
            var states = await Task.WhenAll(answering.Select(s => s.CliAsync("cluster", "info"))).ConfigureAwait(false);
            return states.All(state => state.Contains("cluster_state:ok", StringComparison.Ordinal));
        }

        private static async Task UntilAsync(Func<Task<bool>> condition, string failure, CancellationToken ct)
        {
            var start = Stopwatch.GetTimestamp();
            while (!await condition().ConfigureAwait(false))
            {
                if (Stopwatch.GetElapsedTime(start) > FailoverLimit) throw new TimeoutException($"{failure} within {FailoverLimit.TotalSeconds:0} s");
                await Task.Delay(200, ct).ConfigureAwait(false);
            }
        }

        private static async Task<(int ExitCode, string Output)> RedisCliAsync(string[] arguments)
        {
            using var cli = Process.Start(new ProcessStartInfo("redis-cli", arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var output = cli.StandardOutput.ReadToEndAsync();
            var errors = cli.StandardError.ReadToEndAsync();
            await cli.WaitForExitAsync().ConfigureAwait(false);
            return (cli.ExitCode, await output + await errors);
        }
    }

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);
}
