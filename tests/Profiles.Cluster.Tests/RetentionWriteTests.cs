using Profiles.Core.Consent;
using Profiles.Core.Profiles;
using Profiles.Core.Rules;
using Profiles.Core.Touchpoints;
using Profiles.Grains.Storage;
using Profiles.Testing;
using StackExchange.Redis;

namespace Profiles.Cluster.Tests;

/// <summary>A retention write as both stores apply it, read back from the store: the old touchpoint leaves the
/// journey's reading order and its content leaves storage, its id and links stay, its figures are in its anchor's
/// removed content (its consent decisions too), and the shard's index moves on to the next entry. On the three-master Redis Cluster and in memory.</summary>
[Collection(RedisClusterCollection.Name)]
public sealed class RetentionWriteTests(RedisClusterFixture fixture)
{
    private static readonly DateTimeOffset Start = new(2026, 11, 20, 8, 0, 0, TimeSpan.Zero);

    public static TheoryData<string> Stores => ["redis", "memory"];

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_retention_write_removes_old_content_and_keeps_ids_links_and_figures(string store)
    {
        var (journeys, writer, _, redis) = await fixture.OpenStoresAsync(store);
        await using var _ = redis;
        var run = Guid.NewGuid().ToString("n")[..8];
        var profileId = $"p-{run}";
        var shard = Shards.Of(profileId);
        var old = TestTouchpoints.Make($"{run}-old", Start, "store", "purchase", [("email", $"{run}@example.com"), ("cookie", run)], [("city", "\"Lyon\"")])
            with { PropertiesJson = $"{{\"secret\":\"S-{run}\"}}", Consent = [new ConsentDecision("marketing", null, false, null, null)] };
        var recent = TestTouchpoints.Make($"{run}-recent", Start.AddDays(40), "web", "page_view", [("cookie", run)]);
        var epoch = (await journeys.OpenAsync(profileId, 0)).WriterEpoch;
        epoch = (await writer.AppendAsync(profileId, epoch, [recent, old], null, null)).WriterEpoch;
        var before = Start.AddDays(30);

        Assert.Contains(profileId, await journeys.HoldingEntriesBeforeAsync(shard, before, 10_000));
        var expired = await journeys.ExpiredAsync(profileId, before, 100);
        Assert.Equal([old.Id], expired.Entries.Select(t => t.Id));
        Assert.Equal(recent.OccurredAt, expired.NextAt);

        await writer.RemoveContentAsync(profileId, expired.Entries, RemovedContent.Fold([], expired.Entries, IdentityRules.None, null), expired.NextAt);

        var stored = (await journeys.ResumeAsync(profileId, 0)).Missed;
        Assert.Equal([recent.Id, old.Id], stored.Select(t => t.Id));
        var kept = stored[1];
        Assert.True(kept.ContentRemoved);
        Assert.Equal((old.OccurredAt, 2, 0, (string?)null), (kept.OccurredAt, kept.Identifiers.Count, kept.Traits.Count, kept.PropertiesJson));
        var removed = Assert.Single(await journeys.RemovedContentAsync(profileId));
        Assert.Equal((old.Identifiers[0].Key, old.Id, 1L), (removed.AnchorKey, removed.FirstTouchpointId, removed.Content.Touchpoints));
        Assert.Equal("\"Lyon\"", removed.Content.Traits["city"].ValueJson);
        Assert.Empty(kept.Consent);
        Assert.Equal((old.Id, false), removed.Content.Consent!.History.Select(d => (d.TouchpointId, d.Granted)).Single());
        Assert.Equal([recent.Id], (await journeys.ReadPageAsync([profileId], null, 10)).Select(t => t.Id));
        Assert.DoesNotContain(profileId, await journeys.HoldingEntriesBeforeAsync(shard, before, 10_000));
        var resent = await writer.AppendAsync(profileId, epoch, [old], null, null);
        Assert.Equal([false], resent.IsNew);
        if (redis is not null)
        {
            var values = await redis.GetDatabase().HashValuesAsync(RedisLayout.JourneyTouchpoints(profileId));
            Assert.DoesNotContain(values, value => System.Text.Encoding.UTF8.GetString((byte[])value!).Contains($"S-{run}"));
            Assert.True(await redis.GetDatabase().HashExistsAsync(RedisLayout.Owners(shard), old.Id));
        }
    }
}
