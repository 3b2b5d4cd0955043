using Profiles.Core.Touchpoints;
using Profiles.Grains.Journey;
using Profiles.Grains.Writes;
using StackExchange.Redis;

namespace Profiles.Cluster.Tests;

/// <summary>
/// A profile activation left behind on a node cut off from the cluster, whose grains another node took over, must not
/// add to the journey behind its successor's back, not even by a write that reaches Redis once the network heals:
/// the successor would never count it. Each activation opens the journey with a new writer epoch, and the store
/// refuses appends with an older one. Checked on the three-master Redis Cluster and on the embedded store alike.
/// </summary>
[Collection(RedisClusterCollection.Name)]
public sealed class JourneyWriterEpochTests(RedisClusterFixture fixture)
{
    public static TheoryData<string> Stores => ["redis", "memory"];

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task An_activation_replaced_by_a_later_one_can_no_longer_append(string store)
    {
        var (journeys, writer, _, redis) = await fixture.OpenStoresAsync(store);
        await using var _ = redis;
        var profileId = $"p-{Guid.NewGuid():n}";

        // Two activations of a profile that does not exist yet (one on each side of a cut): the first to append wins.
        var cutOff = await journeys.OpenAsync(profileId, 0);
        var survivor = await journeys.OpenAsync(profileId, 0);
        var first = await writer.AppendAsync(profileId, survivor.WriterEpoch, [Touchpoint("t1")], null, null);
        await Assert.ThrowsAsync<JourneyWriterSupersededException>(() => writer.AppendAsync(profileId, cutOff.WriterEpoch, [Touchpoint("late")], null, null));

        // A later activation opens the journey: the one before it is refused from then on, and the new one appends.
        var successor = await journeys.OpenAsync(profileId, 0);
        Assert.True(successor.WriterEpoch > first.WriterEpoch);
        Assert.Equal(["t1"], successor.Missed.Select(t => t.Id));
        await Assert.ThrowsAsync<JourneyWriterSupersededException>(() => writer.AppendAsync(profileId, first.WriterEpoch, [Touchpoint("late")], null, null));
        var appended = await writer.AppendAsync(profileId, successor.WriterEpoch, [Touchpoint("t2")], null, null);
        Assert.Equal(2, appended.LogLength);

        // An erased profile's journey takes no append from any writer, the latest included, and leaves no key behind.
        await writer.EraseAsync(profileId, mergedProfileIds: null);
        await Assert.ThrowsAsync<JourneyWriterSupersededException>(() => writer.AppendAsync(profileId, first.WriterEpoch, [Touchpoint("late")], null, null));
        await Assert.ThrowsAsync<JourneyWriterSupersededException>(() => writer.AppendAsync(profileId, successor.WriterEpoch, [Touchpoint("late")], null, null));
        Assert.Equal([], (await journeys.ResumeAsync(profileId, 0)).Missed.Select(t => t.Id));
        if (redis is not null) Assert.False(await redis.GetDatabase().KeyExistsAsync(Grains.Storage.RedisLayout.JourneyTouchpoints(profileId)));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Reading_a_profile_that_does_not_exist_writes_nothing(string store)
    {
        var (journeys, writer, _, redis) = await fixture.OpenStoresAsync(store);
        await using var _ = redis;
        var profileId = $"p-{Guid.NewGuid():n}";

        Assert.Equal(0, (await journeys.OpenAsync(profileId, 0)).WriterEpoch);
        Assert.Equal(0, (await journeys.OpenAsync(profileId, 0)).WriterEpoch);
        if (redis is not null) Assert.False(await redis.GetDatabase().KeyExistsAsync(Grains.Storage.RedisLayout.JourneyTouchpoints(profileId)));
    }

    private static Touchpoint Touchpoint(string id) => new(id, DateTimeOffset.UtcNow, "web", "page_view", [], [], null);
}
