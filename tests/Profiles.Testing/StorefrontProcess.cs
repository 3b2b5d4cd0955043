using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
namespace Profiles.Testing;

/// <summary>The sample storefront (samples/Storefront) run as a separate process of its build, on a free port.</summary>
public sealed class StorefrontProcess : IAsyncDisposable
{
    private static readonly string StorefrontAssembly = AppDomain.CurrentDomain.GetAssemblies()
        .SelectMany(a => a.GetCustomAttributes<AssemblyMetadataAttribute>())
        .SingleOrDefault(a => a.Key == "StorefrontAssembly")?.Value
        ?? throw new InvalidOperationException("No loaded assembly names the storefront: the test project needs an AssemblyMetadata attribute StorefrontAssembly.");

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _log = new();

    private StorefrontProcess(Process process, int port)
    {
        _process = process;
        BaseUrl = $"http://127.0.0.1:{port}";
    }

    public string BaseUrl { get; }

    public string LogTail => string.Join('\n', _log.TakeLast(40));

    /// <param name="cluster">How it finds the cluster, as its command line says it: <c>--Profiles:Gateways=...</c>.</param>
    public static async Task<StorefrontProcess> StartAsync(params string[] cluster)
    {
        var port = FreePort.Next();
        var start = new ProcessStartInfo("dotnet", [StorefrontAssembly, "--urls", $"http://127.0.0.1:{port}", .. cluster])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var storefront = new StorefrontProcess(Process.Start(start)!, port);
        storefront._process.OutputDataReceived += (_, line) => storefront.Keep(line.Data);
        storefront._process.ErrorDataReceived += (_, line) => storefront.Keep(line.Data);
        storefront._process.BeginOutputReadLine();
        storefront._process.BeginErrorReadLine();
        await storefront.WaitUntilServingAsync();
        return storefront;
    }

    private async Task WaitUntilServingAsync()
    {
        using var http = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"The storefront exited with {_process.ExitCode}:\n{LogTail}");
            try
            {
                using var response = await http.GetAsync("/");
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"The storefront never served its page:\n{LogTail}");
            await Task.Delay(200);
        }
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        _log.Enqueue(line);
        while (_log.Count > 400) _log.TryDequeue(out _);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
