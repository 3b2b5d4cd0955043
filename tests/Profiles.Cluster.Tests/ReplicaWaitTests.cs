using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Profiles.Core.Consent;
using Profiles.Core.Touchpoints;
using Profiles.Grains;
using Profiles.Grains.Changes;
using Profiles.Grains.Journey;
using Profiles.Grains.Storage;
using Profiles.Grains.Writes;
using Profiles.Testing;
using StackExchange.Redis;

namespace Profiles.Cluster.Tests;

/// <summary>
/// Writes that wait for a replica, on a real redis-server and its replica: acknowledged once the replica has them; with
/// the replica gone, failed after the wait's timeout, and taken again (as duplicates) once the replica is back.
/// </summary>
public sealed class ReplicaWaitTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(300);

    private RedisServer _master = null!;
    private RedisServer _replica = null!;
    private ConnectionMultiplexer _reads = null!;
    private RedisJourneyStore _journeys = null!;
    private ProfileWriter _writer = null!;
    private readonly ServiceProvider _meters = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public async Task InitializeAsync()
    {
        _master = await RedisServer.StartAsync();
        _replica = await RedisServer.StartAsync("--replicaof", "127.0.0.1", _master.Port.ToString());
        await InSyncAsync();
        var options = RedisConnection.Options(_master.ConnectionString);
        _reads = await ConnectionMultiplexer.ConnectAsync(options);
        _journeys = new RedisJourneyStore(_reads, new StorageHealthConnection(_reads));
        var replicas = new ReplicaWait(await ConnectionMultiplexer.ConnectAsync(options), replicas: 1, Timeout);
        _writer = new ProfileWriter(new RedisWrites(_reads, new FeedClock(Options.Create(new ChangeFeedOptions()), TimeProvider.System),
            _meters.GetRequiredService<IMeterFactory>(), replicas), TimeProvider.System, ConsentPurposes.Shipped);
    }

    public async Task DisposeAsync()
    {
        await _reads.DisposeAsync();
        await _replica.DisposeAsync();
        await _master.DisposeAsync();
        await _meters.DisposeAsync();
    }

    [Fact]
    public async Task A_write_is_acknowledged_once_the_replica_has_it()
    {
        var profileId = $"p-{Guid.NewGuid():n}";

        var appended = await _writer.AppendAsync(profileId, 0, [Touchpoint("t1")], null, null);

        Assert.Equal([true], appended.IsNew);
        Assert.Equal("1", await _replica.CliAsync("hexists", RedisLayout.JourneyTouchpoints(profileId).ToString(), "t1"));
    }

    [Fact]
    public async Task Without_its_replica_a_write_fails_after_the_timeout_and_once_the_replica_is_back_it_is_taken_as_a_duplicate()
    {
        var profileId = $"p-{Guid.NewGuid():n}";
        await _replica.StopAsync();

        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAsync<ReplicasBehindException>(() => _writer.AppendAsync(profileId, 0, [Touchpoint("t1")], null, null));
        Assert.InRange(clock.Elapsed, Timeout * 0.9, TimeSpan.FromSeconds(2));

        await _replica.StartAgainAsync();
        await InSyncAsync();
        // As the profile's next activation does: it opens the journey, which the failed write had started on the master.
        var opened = await _journeys.OpenAsync(profileId, 0);
        Assert.Equal(["t1"], opened.Missed.Select(t => t.Id));
        var retried = await RetriedAsync(() => _writer.AppendAsync(profileId, opened.WriterEpoch, [Touchpoint("t1")], null, null));

        Assert.Equal([false], retried.IsNew);
        Assert.Equal("1", await _replica.CliAsync("hexists", RedisLayout.JourneyTouchpoints(profileId).ToString(), "t1"));
    }

    /// <summary>A profile's state records what its journey does not (the profiles merged into it): it waits for the
    /// replica as the journey does, and without the replica its write fails rather than being answered done.</summary>
    [Fact]
    public async Task A_profile_state_write_is_done_once_the_replica_has_it_and_fails_without_it()
    {
        await using var cluster = await TwoSiloCluster.StartAsync(_master.ConnectionString, waitReplicas: 1);
        var run = Guid.NewGuid().ToString("n")[..8];
        await cluster.IngestAsync(TestTouchpoints.Make($"{run}-t1", DateTimeOffset.UtcNow, "web", "page_view", [("cookie", $"{run}-cookie"), ("email", $"{run}@example.com")]));
        var profileId = (await cluster.LookupAsync("cookie", $"{run}-cookie")).ProfileId;

        await cluster.RewriteStoredStateAsync(profileId, state => state.ChangesOutsideLog += 1);
        Assert.Contains(await _replica.KeysAsync("*/state/*"), key => key.Contains(profileId, StringComparison.Ordinal));

        await _replica.StopAsync();
        await Assert.ThrowsAsync<ReplicasBehindException>(() => cluster.RewriteStoredStateAsync(profileId, state => state.ChangesOutsideLog += 1));
    }

    /// <summary>A profile whose snapshot lags its journey (a node died between the two writes) writes it again as it
    /// activates. Without the replica that write fails: the caller, on another node or a client, is told storage is
    /// unavailable (a node answers 503, and the client retries), not handed an error Orleans cannot send.</summary>
    [Fact]
    public async Task A_profile_that_cannot_write_its_snapshot_as_it_activates_answers_storage_unavailable()
    {
        await using var cluster = await TwoSiloCluster.StartAsync(_master.ConnectionString, waitReplicas: 1);
        var run = Guid.NewGuid().ToString("n")[..8];
        var cookie = ("cookie", $"{run}-cookie");
        await cluster.IngestAsync(TestTouchpoints.Make($"{run}-t1", DateTimeOffset.UtcNow, "web", "page_view", [cookie]));
        var profileId = (await cluster.LookupAsync("cookie", $"{run}-cookie")).ProfileId;
        // Its snapshot stored (the grain deactivated), an activation appends once more and its node dies.
        var stored = await cluster.ReadStoredStateAsync(profileId);
        var opened = await _journeys.OpenAsync(profileId, stored.AppliedLogLength);
        await _writer.AppendAsync(profileId, opened.WriterEpoch, [TestTouchpoints.Make($"{run}-t2", DateTimeOffset.UtcNow, "web", "page_view", [cookie])], null, null);

        await _replica.StopAsync();
        await Assert.ThrowsAsync<StorageUnavailableException>(() => cluster.LookupAsync("cookie", $"{run}-cookie"));

        await _replica.StartAgainAsync();
        await InSyncAsync();
        Assert.Equal(["t2", "t1"], (await RetriedAsync(() => cluster.JourneyIdsAsync(profileId))).Select(id => id[(run.Length + 1)..]));
    }

    /// <summary>A replica just back acknowledges its master's writes within the wait's timeout once it has caught up,
    /// which on a loaded machine can take a few tries: sent again, as a client sends again a request answered 503.</summary>
    private static async Task<T> RetriedAsync<T>(Func<Task<T>> write)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                return await write();
            }
            catch (Exception e) when (e is ReplicasBehindException or StorageUnavailableException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    private async Task InSyncAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!(await _replica.CliAsync("info", "replication")).Contains("master_link_status:up", StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The replica did not synchronise with its master.");
            await Task.Delay(100);
        }
    }

    private static Touchpoint Touchpoint(string id) => new(id, DateTimeOffset.UtcNow, "web", "page_view", [], [], null);
}
