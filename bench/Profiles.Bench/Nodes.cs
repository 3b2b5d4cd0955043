using System.Net;
using Profiles.Contracts.Http;

namespace Profiles.Bench;

/// <summary>The nodes under test, each spoken to through <see cref="ProfilesHttpClient"/>: round-robin
/// (<see cref="Next"/>) or one named (<see cref="On"/>), over one pool of connections.</summary>
public sealed class Nodes : IDisposable
{
    private readonly SocketsHttpHandler _handler;
    private readonly HttpMessageHandler _pipeline;
    private readonly Dictionary<Uri, ProfilesHttpClient> _clients;
    private readonly ProfilesHttpClient[] _order;
    private int _next = -1;

    /// <param name="around">Wraps the connections in a handler of the caller's (one that sends a request again, say).</param>
    public Nodes(IReadOnlyList<Uri> targets, int maxConnections, TimeSpan timeout, Func<HttpMessageHandler, DelegatingHandler>? around = null)
    {
        Targets = [.. targets];
        _handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = maxConnections,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };
        _pipeline = around is null ? _handler : around(_handler);
        _order = [.. Targets.Select(target => new ProfilesHttpClient(new HttpClient(_pipeline, disposeHandler: false) { BaseAddress = target, Timeout = timeout }))];
        _clients = Targets.Zip(_order).ToDictionary(p => p.First, p => p.Second);
    }

    public IReadOnlyList<Uri> Targets { get; }

    /// <summary>The next node in turn.</summary>
    public ProfilesHttpClient Next() => _order[(int)((uint)Interlocked.Increment(ref _next) % (uint)_order.Length)];

    /// <param name="target">One of <see cref="Targets"/>.</param>
    public ProfilesHttpClient On(Uri target) => _clients[target];

    /// <summary>The node's <c>GET /metrics</c> (Prometheus text); null when it answers anything but 200.</summary>
    public async Task<string?> MetricsAsync(Uri target, CancellationToken ct)
    {
        using var response = await On(target).Http.GetAsync("metrics", ct).ConfigureAwait(false);
        return response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false) : null;
    }

    public void Dispose()
    {
        foreach (var client in _order) client.Http.Dispose();
        _pipeline.Dispose();
    }
}
