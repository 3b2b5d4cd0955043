using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Profiles.Client.Tests;

/// <summary>A storefront's host with nothing but the Profiles client in it, configured as a storefront configures it.</summary>
public sealed class ClientHost : IAsyncDisposable
{
    private readonly IHost _host;

    private ClientHost(IHost host) => _host = host;

    public IProfilesClient Profiles => _host.Services.GetRequiredService<IProfilesClient>();

    public static async Task<ClientHost> StartAsync(Action<ProfilesClientOptions> configure)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddProfilesClient(configure);
        var host = builder.Build();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await host.StartAsync(timeout.Token);
        return new ClientHost(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
