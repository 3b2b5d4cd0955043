using System.Diagnostics;
namespace Profiles.Testing;

/// <summary>A real redis-server on a free loopback port, with the append-only file on, in its own folder.</summary>
public sealed class RedisServer : ITestRedis
{
    private readonly string _directory = Directory.CreateTempSubdirectory("profiles-redis-").FullName;
    private readonly string[] _settings;
    private Process? _process;

    private RedisServer(string[] settings) => _settings = settings;

    public int Port { get; } = FreePort.Next();

    public string ConnectionString => $"127.0.0.1:{Port}";

    IReadOnlyList<RedisServer> ITestRedis.Masters => [this];

    /// <param name="settings">More redis-server settings, as on its command line (a cluster node's, say).</param>
    public static async Task<RedisServer> StartAsync(params string[] settings)
    {
        var server = new RedisServer(settings);
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts the server on its port and folder; the append-only file brings its data back.</summary>
    public async Task StartAgainAsync()
    {
        _process = Process.Start(new ProcessStartInfo("redis-server",
            ["--port", Port.ToString(), "--bind", "127.0.0.1", "--dir", _directory, "--save", "", "--appendonly", "yes", "--appendfsync", "everysec", .. _settings])
        {
            RedirectStandardOutput = true,
        }) ?? throw new InvalidOperationException("redis-server did not start; ./test.sh installs it with apt-get.");
        _process.OutputDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (await CliAsync("ping") != "PONG")
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"redis-server on port {Port} did not answer.");
            await Task.Delay(100);
        }
    }

    /// <summary>A clean shutdown: Redis flushes its append-only file first.</summary>
    /// <remarks>A server can refuse a SHUTDOWN (a replica that has just synchronised was seen to answer nothing and
    /// stay up), so it is asked again until it exits, and a server that never does fails the test instead of
    /// hanging it.</remarks>
    public async Task StopAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string answer;
        do
        {
            answer = await CliAsync("shutdown");
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            try
            {
                await _process!.WaitForExitAsync(patience.Token);
                return;
            }
            catch (OperationCanceledException)
            {
            }
        } while (DateTime.UtcNow < deadline);
        throw new TimeoutException($"redis-server on port {Port} did not shut down; its last answer: {answer}");
    }

    /// <summary>SIGKILL: the server dies at once, as a crashed host's does, with what it had not yet written to its
    /// append-only file or sent to its replicas; its folder stays for <see cref="StartAgainAsync"/>.</summary>
    public async Task KillAsync()
    {
        _process!.Kill();
        await _process.WaitForExitAsync();
    }

    /// <summary>What the server is now: <c>master</c>, or <c>slave</c> for a replica.</summary>
    public async Task<string> RoleAsync() => (await CliAsync("role")).Split('\n')[0];

    /// <summary>The keys this server holds that match <paramref name="pattern"/> (Redis glob syntax).</summary>
    public async Task<IReadOnlyList<string>> KeysAsync(string pattern = "*") =>
        (await CliAsync("--scan", "--pattern", pattern)).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Every key and every value this server holds, as text: for checking that erased data is gone.</summary>
    public async Task<string> DumpAsync()
    {
        var dump = new System.Text.StringBuilder();
        foreach (var key in await KeysAsync())
        {
            dump.AppendLine(key);
            var contents = await CliAsync("type", key) switch
            {
                "string" => await CliAsync("get", key),
                "hash" => await CliAsync("hgetall", key),
                "list" => await CliAsync("lrange", key, "0", "-1"),
                "set" => await CliAsync("smembers", key),
                "zset" => await CliAsync("zrange", key, "0", "-1"),
                var other => $"({other})",
            };
            dump.AppendLine(contents);
        }
        return dump.ToString();
    }

    public async Task<string> CliAsync(params string[] command)
    {
        using var cli = Process.Start(new ProcessStartInfo("redis-cli", ["-p", Port.ToString(), .. command])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = await cli.StandardOutput.ReadToEndAsync();
        await cli.WaitForExitAsync();
        return output.Trim();
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false }) _process.Kill();
        if (_process is not null) await _process.WaitForExitAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
