using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Profiles.Grains.History;
using Profiles.Testing;

namespace Profiles.Http.Tests;

/// <summary>One Profiles node in Redis mode with a history tier, each on a real server of its own (redis-server, or a
/// Redis Cluster of three masters, and PostgreSQL), moving journey items older than the default 7 days every
/// <see cref="Interval"/>.</summary>
public class HistoryNodeFixture : WebApplicationFactory<Program>, IAsyncLifetime
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    public ITestRedis Redis { get; private set; } = null!;

    public PostgresServer Postgres { get; private set; } = null!;

    protected virtual RedisTopology Topology => RedisTopology.OneServer;

    public async Task InitializeAsync()
    {
        (Redis, Postgres) = (await Topology.StartAsync(), await PostgresServer.StartAsync());
        using var http = CreateClient();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!(await http.GetAsync("/health/ready")).IsSuccessStatusCode)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The node with a history tier never became ready.");
            await Task.Delay(200);
        }
        // The node creates its table at start-up, whatever it is asked.
        while (await Postgres.QueryAsync($"SELECT to_regclass('{PostgresHistory.Table}') IS NOT NULL") != "t")
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"The node never created {PostgresHistory.Table}.");
            await Task.Delay(200);
        }
    }

    /// <summary>How many rows the history tier holds for the profile.</summary>
    public async Task<int> RowsOfAsync(string profileId) =>
        int.Parse(await Postgres.QueryAsync($"SELECT count(*) FROM {PostgresHistory.Table} WHERE profile = '\\x{Convert.ToHexStringLower(HistoryKey.Of(profileId))}'"));

    /// <summary>Waits up to a few intervals for the profile's row count to reach <paramref name="expected"/>.</summary>
    public async Task WaitForRowsAsync(string profileId, int expected)
    {
        var deadline = DateTime.UtcNow + Interval * 3 + TimeSpan.FromSeconds(15);
        int rows;
        while ((rows = await RowsOfAsync(profileId)) != expected && DateTime.UtcNow < deadline) await Task.Delay(200);
        Assert.Equal(expected, rows);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Profiles:Redis", Redis.ConnectionString);
        builder.UseSetting("Profiles:History:Connection", Postgres.ConnectionString);
        builder.UseSetting("Profiles:SiloPort", FreePort.Next().ToString());
        builder.UseSetting("Profiles:GatewayPort", FreePort.Next().ToString());
        builder.UseSetting("Profiles:Retention:Interval", Interval.ToString("c"));
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await Redis.DisposeAsync();
        await Postgres.DisposeAsync();
    }
}

/// <summary>The same node on a Redis Cluster of three masters: each shard's due set, lease and erasure markers live on
/// the master of the shard's hash tag, and the journeys of one customer on several masters.</summary>
public sealed class HistoryClusterNodeFixture : HistoryNodeFixture
{
    protected override RedisTopology Topology => RedisTopology.ThreeMasterCluster;
}
