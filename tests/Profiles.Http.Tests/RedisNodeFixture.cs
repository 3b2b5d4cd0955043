using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Profiles.Testing;

namespace Profiles.Http.Tests;

/// <summary>One Profiles node in Redis mode, on a real redis-server of its own, forgetting what it must every
/// <see cref="RetentionInterval"/>: for checking over HTTP what Redis itself holds.</summary>
public sealed class RedisNodeFixture : WebApplicationFactory<Program>, IAsyncLifetime
{
    public static readonly TimeSpan RetentionInterval = TimeSpan.FromSeconds(2);

    public RedisServer Redis { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Redis = await RedisServer.StartAsync();
        using var http = CreateClient();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!(await http.GetAsync("/health/ready")).IsSuccessStatusCode)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The Redis-mode node never became ready.");
            await Task.Delay(200);
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Profiles:Redis", Redis.ConnectionString);
        builder.UseSetting("Profiles:SiloPort", FreePort.Next().ToString());
        builder.UseSetting("Profiles:GatewayPort", FreePort.Next().ToString());
        builder.UseSetting("Profiles:Retention:Interval", RetentionInterval.ToString("c"));
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await Redis.DisposeAsync();
    }
}
