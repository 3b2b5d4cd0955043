using Profiles.Core.Profiles;
using Profiles.Core.Resolution;
using Profiles.Core.Touchpoints;
using Profiles.Grains.Resolution;
using Profiles.Grains.Storage;
using Profiles.Testing;
using StackExchange.Redis;

namespace Profiles.Cluster.Tests;

/// <summary>
/// A profile's journey log in Redis keeps only the entries no stored snapshot has applied, so that it does not grow
/// with every touchpoint ever stored: a profile whose snapshot lags still catches up exactly, an erasure still forgets
/// every idempotency record, and a resolution still reads whole journeys. On the three-master Redis Cluster.
/// </summary>
[Collection(RedisClusterCollection.Name)]
public sealed class JourneyLogTrimTests(RedisClusterFixture fixture)
{
    private static readonly DateTimeOffset Start = new(2026, 11, 20, 8, 0, 0, TimeSpan.Zero);
    private readonly string _run = Guid.NewGuid().ToString("n")[..8];

    private TwoSiloCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task A_stored_snapshot_takes_its_entries_out_of_the_log_and_a_profile_whose_snapshot_lags_catches_up_exactly()
    {
        var (journeys, writer, _, redis) = await fixture.OpenStoresAsync("redis");
        await using var _ = redis;
        var cookie = ("cookie", $"ck-{_run}");
        Touchpoint[] first = [Touch("t1", 1, "web", cookie), Touch("t2", 2, "store", cookie), Touch("t3", 3, "web", cookie)];
        Touchpoint[] later = [Touch("t4", 4, "email", cookie), Touch("t5", 5, "web", cookie)];
        await Cluster.IngestAsync(first);
        var profileId = (await Cluster.LookupAsync("cookie", cookie.Item2)).ProfileId;

        var stored = await Cluster.ReadStoredStateAsync(profileId);

        Assert.Equal(3, stored.AppliedLogLength);
        Assert.Empty(await LogAsync(redis!, profileId));

        // A node appended two more and died before writing the snapshot: the log holds them at positions 3 and 4.
        var opened = await journeys.OpenAsync(profileId, stored.AppliedLogLength);
        Assert.Empty(opened.Missed);
        Assert.Equal(5, (await writer.AppendAsync(profileId, opened.WriterEpoch, later, null, null)).LogLength);
        Assert.Equal(later.Select(t => t.Id), await LogAsync(redis!, profileId));

        var caughtUp = await Cluster.LookupAsync("cookie", cookie.Item2);

        var expected = new ProfileContent();
        foreach (var touchpoint in first.Concat(later)) expected.Add(touchpoint);
        Assert.Equal(CanonicalContent.Of(expected), CanonicalContent.Of(caughtUp.Content));
        Assert.Empty(await LogAsync(redis!, profileId));
        Assert.Equal(first.Concat(later).Reverse().Select(t => t.Id), await Cluster.JourneyIdsAsync(profileId));
        Assert.Equal(5, (await Cluster.ReadStoredStateAsync(profileId)).AppliedLogLength);
        Assert.Equal(CanonicalContent.Of(expected), CanonicalContent.Of((await Cluster.LookupAsync("cookie", cookie.Item2)).Content));
    }

    [Fact]
    public async Task Erasing_a_customer_whose_log_was_trimmed_forgets_every_idempotency_record_so_a_resend_is_new()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(fixture.Redis.ConnectionString);
        var (cookie, email) = (("cookie", $"ck-{_run}"), ("email", $"erased.{_run}@example.com"));
        Touchpoint[] sent = [Touch("t1", 1, "web", cookie), Touch("t2", 2, "web", cookie, email)];
        await Cluster.IngestAsync(sent);
        var profileId = (await Cluster.LookupAsync("cookie", cookie.Item2)).ProfileId;
        Assert.Equal(2, (await Cluster.ReadStoredStateAsync(profileId)).AppliedLogLength);
        Assert.Empty(await LogAsync(redis, profileId));

        Assert.True(await Cluster.Eraser(1).EraseAsync(profileId));

        var owners = RedisLayout.Owners(Shards.Of(profileId));
        foreach (var touchpoint in sent) Assert.False(await redis.GetDatabase().HashExistsAsync(owners, touchpoint.Id));
        Assert.False(await redis.GetDatabase().KeyExistsAsync(RedisLayout.JourneyTouchpoints(profileId)));
        var resent = await Cluster.Ingestor(0).IngestAsync([sent[0]]);
        Assert.True(resent[0].IsNew);
        Assert.NotEqual(profileId, resent[0].ProfileId);
    }

    [Fact]
    public async Task An_unlink_of_a_merged_customer_whose_logs_were_trimmed_gives_the_parts_of_their_whole_journeys()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(fixture.Redis.ConnectionString);
        await using var memory = await TwoSiloCluster.StartAsync();
        var (email, cookie, loyalty) = (("email", $"ann.{_run}@example.com"), ("cookie", $"ck-{_run}"), ("loyalty_id", $"L-{_run}"));
        Touchpoint[] web = [Touch("a1", 1, "web", email, cookie), Touch("a2", 2, "web", cookie)];
        Touchpoint[] store = [Touch("b1", 3, "store", loyalty), Touch("b2", 4, "store", loyalty)];
        var link = Touch("link", 5, "crm", email, loyalty);

        var parts = new List<Dictionary<string, string>>();
        foreach (var cluster in new[] { Cluster, memory })
        {
            var ids = new List<string>();
            foreach (var touchpoints in new Touchpoint[][] { web, store, [link] })
            {
                ids.Add((await cluster.IngestAsync(touchpoints))[0].ProfileId);
                // Each profile deactivates and stores its snapshot, which on Redis trims its journey's log.
                foreach (var id in ids) await cluster.ReadStoredStateAsync(id);
            }
            var customer = await cluster.LookupAsync("email", email.Item2);
            Assert.Equal(5, customer.Content.Touchpoints);
            if (cluster == Cluster)
            {
                foreach (var id in ids.Distinct()) Assert.Empty(await LogAsync(redis, id));
            }

            var split = await cluster.Corrections(0).CorrectAsync(OperatorEntry.Unlink, customer.ProfileId,
                [TestIdentifiers.Read(email.Item1, email.Item2), TestIdentifiers.Read(loyalty.Item1, loyalty.Item2)]);

            Assert.IsType<Correction.Done>(split);
            parts.Add(await PartsAsync(cluster, email, cookie, loyalty));
        }
        Assert.Equal(parts[1], parts[0]);
        Assert.NotEqual(parts[0][email.Item2], parts[0][loyalty.Item2]);
        Assert.Equal(parts[0][email.Item2], parts[0][cookie.Item2]);
    }

    /// <summary>Per identifier value, the part holding it: its content and journey, less the operator's entry, which
    /// each cluster records with an id and a time of its own.</summary>
    private static async Task<Dictionary<string, string>> PartsAsync(TwoSiloCluster cluster, params (string Type, string Value)[] identifiers)
    {
        var parts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (type, value) in identifiers)
        {
            var part = await cluster.LookupAsync(type, value);
            var content = CanonicalContent.Of(part.Content).Split('\n').Where(line => !line.StartsWith("correction ", StringComparison.Ordinal));
            var journey = (await cluster.JourneyIdsAsync(part.ProfileId)).Where(id => !id.StartsWith("op-", StringComparison.Ordinal));
            parts[value] = string.Join('\n', [.. content, "journey " + string.Join(' ', journey)]);
        }
        return parts;
    }

    /// <summary>The ids the profile's journey log holds in Redis.</summary>
    private static async Task<string[]> LogAsync(IConnectionMultiplexer redis, string profileId) =>
        [.. (await redis.GetDatabase().ListRangeAsync(RedisLayout.JourneyLog(profileId))).Select(id => (string)id!)];

    private Touchpoint Touch(string name, int minutes, string channel, params (string Type, string Value)[] identifiers) =>
        TestTouchpoints.Make($"{_run}-{name}", Start.AddMinutes(minutes), channel, "page_view", identifiers);
}
