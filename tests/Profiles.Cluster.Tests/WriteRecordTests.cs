using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Storage;
using Profiles.Core.Touchpoints;
using Profiles.Grains.Changes;
using Profiles.Grains.Identity;
using Profiles.Grains.Journey;
using Profiles.Grains.Standing;
using Profiles.Grains.Storage;
using Profiles.Grains.Writes;
using StackExchange.Redis;

namespace Profiles.Cluster.Tests;

/// <summary>
/// Write records as both stores apply them: a standing step counts once, whatever is repeated or stale; the writes
/// of one shard share script calls and each still lands exactly once; identifier pointers refuse a writer that read
/// an older one. Checked on the three-master Redis Cluster and, where the embedded store has the same part, in memory.
/// </summary>
[Collection(RedisClusterCollection.Name)]
public sealed class WriteRecordTests(RedisClusterFixture fixture)
{
    public static TheoryData<string> Stores => ["redis", "memory"];

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_standing_counts_once_whether_reported_again_or_stepped_from_a_standing_the_store_no_longer_holds(string store)
    {
        var (journeys, writer, standings, redis) = await fixture.OpenStoresAsync(store);
        await using var _ = redis;
        var profileId = $"p-{Guid.NewGuid():n}";
        var audience = $"a{Guid.NewGuid():n}";
        var before = await standings.ReadTotalsAsync();
        var browsing = Standing(("web", 2), identified: false, [audience]);
        var bought = Standing(("web", 2), ("store", 1), identified: true, []);

        await writer.ReportAsync(profileId, browsing, []);
        await writer.ReportAsync(profileId, browsing, []);
        await AssertAddedAsync(standings, before, profiles: 1, identified: 0, touchpoints: 2);
        Assert.Equal([profileId], (await standings.ReadAudienceAsync(audience, null, 10)).Members);

        // An append whose grain believes nothing is stored yet: the store holds "browsing", so the step is not applied.
        var epoch = (await journeys.OpenAsync(profileId, 0)).WriterEpoch;
        var appended = await writer.AppendAsync(profileId, epoch, [Touchpoint("t1", "store")], null, bought);
        Assert.Equal([true], appended.IsNew);
        Assert.False(appended.StandingRecorded);
        await AssertAddedAsync(standings, before, profiles: 1, identified: 0, touchpoints: 2);

        // Reported as the grain then does: stepped from what is stored, once.
        await writer.ReportAsync(profileId, bought, []);
        await AssertAddedAsync(standings, before, profiles: 1, identified: 1, touchpoints: 3);
        Assert.Empty((await standings.ReadAudienceAsync(audience, null, 10)).Members);

        // An append believing the right standing records the next one in the same write; a duplicate does not.
        var again = await writer.AppendAsync(profileId, appended.WriterEpoch, [Touchpoint("t2", "store")], bought, Standing(("web", 2), ("store", 2), identified: true, []));
        Assert.True(again.StandingRecorded);
        var duplicate = await writer.AppendAsync(profileId, again.WriterEpoch, [Touchpoint("t2", "store")], Standing(("web", 2), ("store", 2), identified: true, []),
            Standing(("web", 2), ("store", 3), identified: true, []));
        Assert.Equal([false], duplicate.IsNew);
        Assert.False(duplicate.StandingRecorded);
        await AssertAddedAsync(standings, before, profiles: 1, identified: 1, touchpoints: 4);

        await writer.ReportAsync(profileId, null, []);
        await AssertAddedAsync(standings, before, profiles: 0, identified: 0, touchpoints: 0);
        Assert.Empty((await standings.RecountAsync()).Corrections);
    }

    /// <summary>Redis drops the log's entries a snapshot holds; memory keeps its whole log. Either way, positions are
    /// the same, and what a resolution reads and rewrites is the whole journey.</summary>
    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_log_trimmed_behind_a_snapshot_keeps_its_positions_and_a_rewrite_starts_it_again(string store)
    {
        var (journeys, writer, _, redis) = await fixture.OpenStoresAsync(store);
        await using var _ = redis;
        var profileId = $"p-{Guid.NewGuid():n}";
        var (a, b, c, d) = (Touchpoint($"{profileId}-a", "web"), Touchpoint($"{profileId}-b", "web"), Touchpoint($"{profileId}-c", "web"), Touchpoint($"{profileId}-d", "web"));
        var epoch = (await journeys.OpenAsync(profileId, 0)).WriterEpoch;
        epoch = (await writer.AppendAsync(profileId, epoch, [a, b, c], null, null)).WriterEpoch;

        await writer.TrimLogAsync(profileId, 2);
        // Only ever forward, and never past the log's end.
        await writer.TrimLogAsync(profileId, 1);
        await writer.TrimLogAsync(profileId, 4);

        Assert.Equal(4, (await writer.AppendAsync(profileId, epoch, [d], null, null)).LogLength);
        Assert.Equal([c.Id, d.Id], (await journeys.ResumeAsync(profileId, 2)).Missed.Select(t => t.Id));
        Assert.Equal([d.Id], (await journeys.OpenAsync(profileId, 3)).Missed.Select(t => t.Id));
        Assert.Equal([a.Id, b.Id, c.Id, d.Id], (await journeys.ReadWholeAsync(profileId)).Select(t => t.Id).Order(StringComparer.Ordinal));
        if (redis is not null)
        {
            Assert.Equal([c.Id, d.Id], (await redis.GetDatabase().ListRangeAsync(RedisLayout.JourneyLog(profileId))).Select(id => (string)id!));
            await Assert.ThrowsAsync<InvalidDataException>(() => journeys.ResumeAsync(profileId, 1));
        }

        // Its ids are read from the journey, not the log: the trimmed one the rewrite leaves out goes too.
        Assert.Equal(2, await writer.RewriteAsync(profileId, [b, d], []));
        Assert.Equal([b.Id, d.Id], (await journeys.ResumeAsync(profileId, 0)).Missed.Select(t => t.Id));
        Assert.Equal([b.Id, d.Id], (await journeys.ReadWholeAsync(profileId)).Select(t => t.Id).Order(StringComparer.Ordinal));
        Assert.Empty(await journeys.StoredInAsync([Shards.Of(profileId)], [a.Id, c.Id]));
        await writer.TrimLogAsync(profileId, 1);
        Assert.Equal([d.Id], (await journeys.ResumeAsync(profileId, 1)).Missed.Select(t => t.Id));
    }

    [Fact]
    public async Task Concurrent_writes_of_one_shard_share_script_calls_and_each_lands_once()
    {
        // Meters of this writer's own: the cluster's silos and the other tests' stores in this process record batches too.
        await using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        var (journeys, writer, _, redis) = await fixture.OpenStoresAsync("redis", meters);
        await using var _ = redis;
        var shard = Random.Shared.Next(Shards.Count);
        string[] profileIds = [.. Enumerable.Range(0, 100_000).Select(_ => $"p-{Guid.NewGuid():n}").Where(id => Shards.Of(id) == shard).Take(300)];
        var batches = new List<int>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == meters && instrument.Name == "profiles.write.batch") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<int>((_, records, _, _) => { lock (batches) batches.Add(records); });
        listener.Start();

        var appended = await Task.WhenAll(profileIds.Select(id => writer.AppendAsync(id, 0, [Touchpoint($"{id}-t", "web"), Touchpoint($"{id}-t", "web")], null, null)));

        Assert.All(appended, a => Assert.Equal([true, false], a.IsNew));
        var logs = await Task.WhenAll(profileIds.Select(id => journeys.ResumeAsync(id, 0)));
        Assert.All(profileIds.Zip(logs), p => Assert.Equal([$"{p.First}-t"], p.Second.Missed.Select(t => t.Id)));
        lock (batches)
        {
            Assert.Equal(profileIds.Length, batches.Sum());
            Assert.True(batches.Max() > 1, $"300 concurrent writes of one shard went in {batches.Count} calls of one record each.");
        }
    }

    [Fact]
    public async Task An_identifier_pointer_refuses_a_writer_that_read_an_older_one()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(fixture.Redis.ConnectionString);
        var storage = new RedisIdentifierStorage(new RedisWrites(redis, Clock, fixture.Meters), new RedisIdentifierPointers(redis));
        var identifier = GrainId.Create("identifier", $"{Guid.NewGuid():n}{Guid.NewGuid():n}");
        GrainState<IdentifierState> first = new(new IdentifierState()), second = new(new IdentifierState());
        await storage.ReadStateAsync("identifier", identifier, first);
        await storage.ReadStateAsync("identifier", identifier, second);
        Assert.False(first.RecordExists);

        first.State!.ProfileId = "p-first";
        await storage.WriteStateAsync("identifier", identifier, first);
        second.State!.ProfileId = "p-second";
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("identifier", identifier, second));
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync("identifier", identifier, second));

        var read = new GrainState<IdentifierState>(new IdentifierState());
        await storage.ReadStateAsync("identifier", identifier, read);
        Assert.Equal("p-first", read.State!.ProfileId);
        await storage.ClearStateAsync("identifier", identifier, read);
        await storage.ReadStateAsync("identifier", identifier, read);
        Assert.Null(read.State!.ProfileId);
        Assert.False(read.RecordExists);
    }

    [Fact]
    public async Task Concurrent_pointer_reads_leave_together_and_each_answers_its_own_identifier()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(fixture.Redis.ConnectionString);
        var writes = new RedisWrites(redis, Clock, fixture.Meters);
        var pointers = new RedisIdentifierPointers(redis);
        string[] keys = [.. Enumerable.Range(0, 600).Select(_ => $"{Guid.NewGuid():n}{Guid.NewGuid():n}")];
        string[] known = [.. keys.Where((_, i) => i % 3 == 0)];
        await Task.WhenAll(known.Select(key => writes.PointAsync(key, null, $"p-{key[..8]}")));
        await using var admin = await ConnectionMultiplexer.ConnectAsync($"{fixture.Redis.ConnectionString},allowAdmin=true");
        var readsBefore = await HashReadsAsync(admin);

        var read = await Task.WhenAll(keys.Select(pointers.ReadAsync));

        Assert.Equal(keys.Select((key, i) => i % 3 == 0 ? $"p-{key[..8]}" : null), read);
        var calls = await HashReadsAsync(admin) - readsBefore;
        Assert.True(calls < keys.Length / 2, $"{keys.Length} concurrent reads took {calls} HMGET calls.");
    }

    /// <summary>HMGET calls served by every master so far.</summary>
    private static async Task<long> HashReadsAsync(ConnectionMultiplexer redis)
    {
        long calls = 0;
        foreach (var server in redis.GetServers().Where(server => !server.IsReplica))
        {
            var stats = (await server.InfoAsync("commandstats")).SelectMany(group => group).FirstOrDefault(stat => stat.Key == "cmdstat_hmget");
            if (stats.Value is { } line) calls += long.Parse(line.Split(',')[0]["calls=".Length..], System.Globalization.CultureInfo.InvariantCulture);
        }
        return calls;
    }

    [Fact]
    public void A_feed_entry_reads_back_exactly_in_its_one_field_form_and_in_the_field_per_part_form_of_earlier_versions()
    {
        var at = new DateTimeOffset(2026, 12, 7, 4, 30, 0, TimeSpan.Zero).AddTicks(1_234_567);
        var change = new ProfileChange(ChangeTypes.Touchpoint, "p-1", at, [new("touchpointId", "pos-77=42"), new("channel", "store"), new("touchpointType", "purchase")]);

        var entry = RedisFeed.Change([new NameValueEntry(RedisFeed.Field, RedisFeed.Encode(change))]);
        Assert.Equal((change.Type, change.ProfileId, change.At), (entry.Type, entry.ProfileId, entry.At));
        Assert.Equal(change.Details, entry.Details);
        Assert.Equal(at.UtcTicks, entry.At.UtcTicks);

        var earlier = RedisFeed.Change([new("type", "merged"), new("profileId", "p-1"), new("at", at.ToString("O")), new("mergedProfileId", "p-2")]);
        Assert.Equal(("merged", "p-1", at, "p-2"), (earlier.Type, earlier.ProfileId, earlier.At, earlier.Details.Single(d => d.Key == "mergedProfileId").Value));
    }

    private static readonly FeedClock Clock = new(Options.Create(new ChangeFeedOptions()), TimeProvider.System);

    private static async Task AssertAddedAsync(IStandingStore standings, StandingTotals before, long profiles, long identified, long touchpoints)
    {
        var now = await standings.ReadTotalsAsync();
        Assert.Equal((profiles, identified, touchpoints),
            (now.Profiles - before.Profiles, now.Identified - before.Identified, now.Touchpoints - before.Touchpoints));
    }

    private static ProfileStanding Standing((string Channel, long Count) channel, bool identified, string[] audiences) =>
        new(identified, new Dictionary<string, long> { [channel.Channel] = channel.Count }, audiences);

    private static ProfileStanding Standing((string Channel, long Count) first, (string Channel, long Count) second, bool identified, string[] audiences) =>
        new(identified, new Dictionary<string, long> { [first.Channel] = first.Count, [second.Channel] = second.Count }, audiences);

    private static Touchpoint Touchpoint(string id, string channel) => new(id, DateTimeOffset.UtcNow, channel, "page_view", [], [], null);
}
