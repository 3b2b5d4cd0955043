using System.Diagnostics;

namespace Profiles.Testing;

/// <summary>
/// A real PostgreSQL server on a free loopback port, in a folder of its own made by initdb, stopped and removed at
/// the end. PostgreSQL refuses to run as root, so when the tests run as root (test.sh does) initdb and postgres run as
/// the <c>postgres</c> system user that Debian's package creates.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private const string User = "postgres";

    private readonly string _directory = Directory.CreateTempSubdirectory("profiles-postgres-").FullName;
    private Process? _process;

    private PostgresServer()
    {
    }

    public int Port { get; } = FreePort.Next();

    /// <summary>What a node is given as <c>Profiles:History:Connection</c>.</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username={User};Database=postgres";

    private string DataDirectory => Path.Combine(_directory, "data");

    public static async Task<PostgresServer> StartAsync()
    {
        var server = new PostgresServer();
        await server.InitAsync();
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts the server on its port and folder again, its data as it left them.</summary>
    public async Task StartAgainAsync()
    {
        var start = AsServerUser(Binary("postgres"),
            "-D", DataDirectory, "-p", Port.ToString(), "-k", _directory, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off");
        (start.RedirectStandardOutput, start.RedirectStandardError) = (true, true);
        _process = Process.Start(start)
            ?? throw new InvalidOperationException("postgres did not start; ./test.sh installs it with apt-get.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await AnswersAsync())
        {
            if (_process.HasExited) throw new InvalidOperationException($"postgres on port {Port} exited with code {_process.ExitCode}.");
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"postgres on port {Port} did not answer.");
            await Task.Delay(100);
        }
    }

    /// <summary>A fast shutdown: connections are cut, what was committed stays.</summary>
    public async Task StopAsync()
    {
        if (_process is not { HasExited: false }) return;
        await RunAsync(AsServerUser(Binary("pg_ctl"), "stop", "-D", DataDirectory, "-m", "fast", "-w"));
        await _process.WaitForExitAsync();
    }

    /// <summary>The answer of one SQL statement, as psql prints it unaligned and without headers (rows on lines,
    /// columns separated by '|').</summary>
    public async Task<string> QueryAsync(string sql) =>
        (await RunAsync(AsServerUser(Binary("psql"), "-h", "127.0.0.1", "-p", Port.ToString(), "-U", User, "-d", "postgres",
            "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql))).Trim();

    /// <summary>Every row of every table, as text: for checking that erased data is gone.</summary>
    public Task<string> DumpAsync() => RunAsync(AsServerUser(Binary("pg_dump"), "-h", "127.0.0.1", "-p", Port.ToString(), "-U", User, "--data-only", "postgres"));

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false }) _process.Kill(entireProcessTree: true);
        if (_process is not null) await _process.WaitForExitAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task InitAsync()
    {
        if (Environment.IsPrivilegedProcess) await RunAsync(new ProcessStartInfo("chown", [$"{User}:{User}", _directory]));
        await RunAsync(AsServerUser(Binary("initdb"), "-D", DataDirectory, "-U", User, "--auth=trust", "-E", "UTF8", "--no-sync"));
    }

    private async Task<bool> AnswersAsync()
    {
        var ready = await RunAsync(AsServerUser(Binary("pg_isready"), "-h", "127.0.0.1", "-p", Port.ToString()), check: false);
        return ready.Contains("accepting connections", StringComparison.Ordinal);
    }

    /// <summary>Started from the temporary folder, which the server user can enter, unlike the test's own folder.</summary>
    private static ProcessStartInfo AsServerUser(string binary, params string[] arguments) =>
        new(Environment.IsPrivilegedProcess ? "runuser" : binary, Environment.IsPrivilegedProcess ? ["-u", User, "--", binary, .. arguments] : arguments)
        {
            WorkingDirectory = Path.GetTempPath(),
        };

    /// <summary>Debian installs the server's programs under /usr/lib/postgresql/VERSION/bin, off the PATH; the newest
    /// version there is used.</summary>
    private static string Binary(string name)
    {
        const string root = "/usr/lib/postgresql";
        var version = Directory.Exists(root)
            ? Directory.GetDirectories(root).Where(d => File.Exists(Path.Combine(d, "bin", name)))
                .MaxBy(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
            : null;
        return version is null ? name : Path.Combine(version, "bin", name);
    }

    private static async Task<string> RunAsync(ProcessStartInfo start, bool check = true)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (check && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{start.FileName} {string.Join(' ', start.ArgumentList)} exited with {process.ExitCode}: {await error}");
        }
        return await output;
    }
}
