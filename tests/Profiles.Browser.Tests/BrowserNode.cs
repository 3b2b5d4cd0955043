using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Reflection;
using Profiles.Tests;

namespace Profiles.Browser.Tests;

/// <summary>
/// An embedded Profiles node run as a separate process of the built Profiles.Silo, on free ports, for a real
/// browser to reach over TCP (a WebApplicationFactory's in-memory server cannot serve one). The same idea as
/// the durability tests' NodeProcess, without Redis.
/// </summary>
public sealed class BrowserNode : IAsyncDisposable
{
    private static readonly string SiloAssembly = typeof(BrowserNode).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "SiloAssembly").Value!;

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _log = new();

    private BrowserNode(Process process, int httpPort)
    {
        _process = process;
        BaseUrl = $"http://127.0.0.1:{httpPort}";
    }

    public string BaseUrl { get; }

    public string LogTail => string.Join('\n', _log.TakeLast(40));

    /// <summary>An HTTP client of the node, sending <paramref name="apiKey"/> as a Bearer key when given.</summary>
    public HttpClient Client(string? apiKey = null)
    {
        var http = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
        if (apiKey is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return http;
    }

    public static async Task<BrowserNode> StartAsync(params string[] settings)
    {
        var httpPort = FreePort.Next();
        var start = new ProcessStartInfo("dotnet",
        [
            SiloAssembly, "--urls", $"http://127.0.0.1:{httpPort}",
            $"--Profiles:SiloPort={FreePort.Next()}", $"--Profiles:GatewayPort={FreePort.Next()}",
            .. settings,
        ])
        {
            WorkingDirectory = Path.GetDirectoryName(SiloAssembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var node = new BrowserNode(Process.Start(start)!, httpPort);
        node._process.OutputDataReceived += (_, line) => node.Keep(line.Data);
        node._process.ErrorDataReceived += (_, line) => node.Keep(line.Data);
        node._process.BeginOutputReadLine();
        node._process.BeginErrorReadLine();
        await node.WaitUntilReadyAsync();
        return node;
    }

    private async Task WaitUntilReadyAsync()
    {
        using var http = Client();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"The node exited with {_process.ExitCode}:\n{LogTail}");
            try
            {
                using var response = await http.GetAsync("/health/ready");
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"The node at {BaseUrl} never became ready:\n{LogTail}");
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
