using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Profiles.Bench.Faults;

/// <summary>
/// One node of a schedule: the Silo run as its own system user (<see cref="Firewall.UserOf"/>) on ports it keeps for
/// the schedule, under a supervisor that starts it again when it stops by itself (as a node does when it learns it was
/// declared dead, or finds itself cut off from Redis alone), as systemd's <c>Restart=on-failure</c> would. A fault
/// that kills it holds it down until <see cref="Restart"/>. Its output goes to a log file of the schedule.
/// </summary>
public sealed class FaultNode : IAsyncDisposable
{
    private const int SigStop = 19;
    private const int SigCont = 18;

    /// <summary>How long the supervisor waits before it starts a node that stopped by itself.</summary>
    private static readonly TimeSpan RestartDelay = TimeSpan.FromSeconds(1);

    private readonly ProcessStartInfo _start;
    private readonly StreamWriter _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _supervision;
    // Whether the node may run and the process that runs it change together, so that a kill never misses a start.
    private readonly Lock _gate = new();
    private bool _heldDown;
    private Process? _process;
    private bool _logClosed;
    private readonly ConcurrentQueue<DateTime> _selfStops = new();

    private FaultNode(int index, string silo, string redis, IReadOnlyList<string> settings, string clusterId, string logFile)
    {
        Index = index;
        var httpPort = Profiles.Testing.FreePort.Next();
        SiloPort = Profiles.Testing.FreePort.Next();
        var gatewayPort = Profiles.Testing.FreePort.Next();
        BaseAddress = new Uri($"http://127.0.0.1:{httpPort}/");
        _start = new ProcessStartInfo("dotnet",
        [
            Path.Combine(silo, "Profiles.Silo.dll"), "--urls", $"http://127.0.0.1:{httpPort}", $"--Profiles:Redis={redis}",
            $"--Profiles:ClusterId={clusterId}", $"--Profiles:SiloPort={SiloPort}", $"--Profiles:GatewayPort={gatewayPort}",
            .. settings,
        ])
        {
            UserName = Firewall.UserOf(index),
            WorkingDirectory = silo,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["Logging__LogLevel__Default"] = "Warning" },
        };
        _log = new StreamWriter(logFile) { AutoFlush = true };
        _supervision = Task.Run(SuperviseAsync);
    }

    public int Index { get; }

    public int SiloPort { get; }

    public Uri BaseAddress { get; }

    /// <summary>When (UTC) the node stopped by itself, and the supervisor started it again.</summary>
    public IReadOnlyCollection<DateTime> SelfStops => _selfStops;

    /// <param name="silo">A folder holding a Silo build every user can read.</param>
    /// <param name="logFile">Where the node's output goes, every start appended.</param>
    /// <param name="settings">More command-line configuration (<see cref="FaultStore.NodeSettings"/>).</param>
    public static FaultNode Start(int index, string silo, string redis, IReadOnlyList<string> settings, string clusterId, string logFile) =>
        new(index, silo, redis, settings, clusterId, logFile);

    /// <summary>SIGKILL: the node dies at once, mid-request, and stays down until <see cref="Restart"/>.</summary>
    public async Task KillAsync()
    {
        Process? process;
        lock (_gate)
        {
            _heldDown = true;
            process = _process;
        }
        if (process is null) return;
        try
        {
            process.Kill();
            await process.WaitForExitAsync().ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // It had exited, and the supervisor let it go, already.
        }
    }

    /// <summary>Lets the supervisor start the node a fault killed.</summary>
    public void Restart()
    {
        lock (_gate) _heldDown = false;
    }

    /// <summary>SIGSTOP: every thread of the node stands still, its connections stay open and silent.</summary>
    public void Pause() => Signal(SigStop);

    /// <summary>SIGCONT after <see cref="Pause"/>.</summary>
    public void Resume() => Signal(SigCont);

    /// <summary>True once <c>/health/ready</c> answers 200 (joined the cluster, storage reachable), within
    /// <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitReadyAsync(HttpClient http, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            try
            {
                using var probe = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, probe.Token);
                using var answer = await http.GetAsync(new Uri(BaseAddress, "health/ready"), linked.Token).ConfigureAwait(false);
                if (answer.IsSuccessStatusCode) return true;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
            }
            await Task.Delay(250, ct).ConfigureAwait(false);
        }
        return false;
    }

    private async Task SuperviseAsync()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            var process = StartUnlessHeld();
            if (process is null)
            {
                await Task.Delay(50, CancellationToken.None).ConfigureAwait(false);
                continue;
            }
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            Keep($"--- exited with {process.ExitCode}");
            bool killed;
            lock (_gate)
            {
                killed = _heldDown;
                _process = null;
            }
            process.Dispose();
            if (killed || token.IsCancellationRequested) continue;
            _selfStops.Enqueue(DateTime.UtcNow);
            await Task.Delay(RestartDelay, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private Process? StartUnlessHeld()
    {
        lock (_gate)
        {
            if (_heldDown) return null;
            var process = new Process { StartInfo = _start };
            process.OutputDataReceived += (_, line) => Keep(line.Data);
            process.ErrorDataReceived += (_, line) => Keep(line.Data);
            Keep($"--- starting as {_start.UserName}");
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            _process = process;
            return process;
        }
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        lock (_log)
            if (!_logClosed) _log.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {line}");
    }

    private void Signal(int signal)
    {
        lock (_gate)
            if (_process is { } process) _ = SendSignal(process.Id, signal);
    }

    [DllImport("libc", EntryPoint = "kill")]
    private static extern int SendSignal(int pid, int signal);

    /// <summary>Stops supervising and kills the node.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await KillAsync().ConfigureAwait(false);
        await _supervision.ConfigureAwait(false);
        lock (_log)
        {
            _logClosed = true;
            _log.Dispose();
        }
        _stop.Dispose();
    }
}
