using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Profiles.Testing;

/// <summary>A Profiles node run as a user runs it: a separate process of the built Profiles.Silo, on free ports.
/// A test project using it names the Silo's output in an assembly attribute <c>SiloAssembly</c>, as only the
/// test project knows its build configuration and makes sure the Silo is built.</summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private static readonly string SiloAssembly = AppDomain.CurrentDomain.GetAssemblies()
        .SelectMany(a => a.GetCustomAttributes<AssemblyMetadataAttribute>())
        .SingleOrDefault(a => a.Key == "SiloAssembly")?.Value
        ?? throw new InvalidOperationException("No loaded assembly names the Silo: the test project needs an AssemblyMetadata attribute SiloAssembly.");

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _log = new();

    private NodeProcess(Process process, int httpPort, int siloPort)
    {
        _process = process;
        HttpPort = httpPort;
        SiloPort = siloPort;
        Http = Client();
        Api = new Api(Http, serverLog: () => LogTail);
    }

    public int HttpPort { get; }

    /// <summary>The port the other nodes send Orleans messages to.</summary>
    public int SiloPort { get; }

    public string BaseUrl => $"http://127.0.0.1:{HttpPort}";

    /// <summary>A new HTTP client of the node, sending <paramref name="apiKey"/> as a Bearer key when given.</summary>
    public HttpClient Client(string? apiKey = null)
    {
        var http = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(60) };
        if (apiKey is not null) http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", apiKey);
        return http;
    }

    public HttpClient Http { get; }

    public Api Api { get; }

    /// <summary>The last lines the node wrote, for a failing test's message.</summary>
    public string LogTail => string.Join('\n', _log.TakeLast(40));

    /// <summary>The lines the node wrote to its standard output and error (the last 400).</summary>
    public IReadOnlyList<string> LogLines => [.. _log];

    /// <summary>Starts the node in the folder of its own build, as <c>dotnet run</c> and the container do.</summary>
    /// <param name="redis">Null: the embedded default.</param>
    /// <param name="arguments">More command-line configuration, as a user would pass it.</param>
    public static Task<NodeProcess> StartAsync(string? redis, string clusterId, params string[] arguments) =>
        StartFromAsync(Path.GetDirectoryName(SiloAssembly)!, redis, clusterId, arguments);

    /// <summary>Starts the node as the system user <paramref name="user"/>, so that a firewall rule matching that
    /// user's packets (iptables' owner match) cuts this node alone off the network.</summary>
    public static Task<NodeProcess> StartAsUserAsync(string user, string? redis, string clusterId, params string[] arguments) =>
        StartAsync(Path.Combine(SiloCopyForOthers.Value, Path.GetFileName(SiloAssembly)), SiloCopyForOthers.Value, user, redis, clusterId, arguments);

    /// <summary>A copy of the Silo's build that any user can read: the checkout may sit in a folder only its owner
    /// may enter.</summary>
    private static readonly Lazy<string> SiloCopyForOthers = new(() => ReadableCopy.Of(Path.GetDirectoryName(SiloAssembly)!));

    /// <summary>Starts the node with <paramref name="workingDirectory"/> as its current folder, as a systemd unit or
    /// a script run from elsewhere does.</summary>
    public static Task<NodeProcess> StartFromAsync(string workingDirectory, string? redis, string clusterId, params string[] arguments) =>
        StartAsync(SiloAssembly, workingDirectory, user: null, redis, clusterId, arguments);

    private static async Task<NodeProcess> StartAsync(string assembly, string workingDirectory, string? user, string? redis, string clusterId, string[] arguments)
    {
        var (httpPort, siloPort) = (FreePort.Next(), FreePort.Next());
        var start = new ProcessStartInfo("dotnet",
        [
            assembly, "--urls", $"http://127.0.0.1:{httpPort}",
            .. redis is null ? Array.Empty<string>() : [$"--Profiles:Redis={redis}"],
            $"--Profiles:ClusterId={clusterId}",
            $"--Profiles:SiloPort={siloPort}", $"--Profiles:GatewayPort={FreePort.Next()}",
            .. arguments,
        ])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (user is not null) start.UserName = user;
        var node = new NodeProcess(Process.Start(start)!, httpPort, siloPort);
        node._process.OutputDataReceived += (_, line) => node.Keep(line.Data);
        node._process.ErrorDataReceived += (_, line) => node.Keep(line.Data);
        node._process.BeginOutputReadLine();
        node._process.BeginErrorReadLine();
        await node.WaitUntilReadyAsync();
        return node;
    }

    public async Task WaitUntilReadyAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (_process.HasExited)
            {
                // The exit can be seen before the last lines are read: waiting for the exit again drains both pipes.
                await _process.WaitForExitAsync();
                throw new InvalidOperationException($"The node exited with {_process.ExitCode}:\n{LogTail}");
            }
            try
            {
                using var response = await Http.GetAsync("/health/ready");
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"The node on port {HttpPort} never became ready:\n{LogTail}");
            await Task.Delay(200);
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>Waits for the process to end by itself; false if it still runs after <paramref name="timeout"/>.</summary>
    public async Task<bool> ExitsWithinAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>SIGKILL: the process dies at once, mid-request, without leaving the cluster.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGSTOP: every thread stands still, as in a long garbage collection or a frozen virtual machine; its
    /// connections stay open and what is sent to it waits in their queues.</summary>
    public void Pause() => _ = SendSignal(_process.Id, 19);

    /// <summary>SIGCONT after <see cref="Pause"/>: the node reads what waited, at once.</summary>
    public void Resume() => _ = SendSignal(_process.Id, 18);

    /// <summary>SIGTERM: the node leaves the cluster cleanly and exits.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited) return;
        _ = SendSignal(_process.Id, 15);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
        }
    }

    /// <summary>Where every line of every node is appended as well, when set: a failing run's whole story.</summary>
    private static readonly string? FullLogFile = Environment.GetEnvironmentVariable("PROFILES_TEST_NODE_LOG");

    private static readonly Lock FullLogLock = new();

    private void Keep(string? line)
    {
        if (line is null) return;
        _log.Enqueue(line);
        if (FullLogFile is not null)
        {
            lock (FullLogLock) File.AppendAllText(FullLogFile, $"{DateTime.UtcNow:HH:mm:ss.fff} {HttpPort} {line}\n");
        }
        while (_log.Count > 400) _log.TryDequeue(out _);
    }

    [DllImport("libc", EntryPoint = "kill")]
    private static extern int SendSignal(int pid, int signal);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) await KillAsync();
        Http.Dispose();
        _process.Dispose();
    }
}
