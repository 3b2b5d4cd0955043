using System.Text.Json;
using Profiles.Core.Consent;
using Profiles.Core.Touchpoints;
using Profiles.Grains.Journey;
using Profiles.Grains.Storage;

namespace Profiles.Cluster.Tests;

/// <summary>
/// The journey is the log every profile is rebuilt from: whatever a touchpoint holds must come back from the store
/// exactly, offsets and all, in the compact encoding and in the JSON that earlier versions stored.
/// </summary>
[Collection(RedisClusterCollection.Name)]
public sealed class StoredTouchpointTests(RedisClusterFixture fixture)
{
    // What the previous version wrote for LegacyTouchpoint, byte for byte (System.Text.Json, full property names).
    private const string LegacyJson = """
        {"Id":"pos-77-20261122-0042","OccurredAt":"2026-11-22T10:15:00.1234567+01:00","Channel":"store","Type":"purchase","Identifiers":[{"Type":"loyalty_id","Key":"8bfb3e1c0d5a4f6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d","Hint":"F***23","FromHash":false},{"Type":"email","Key":"17375f0b2e1d4c3b2a190817f6e5d4c3b2a1908f7e6d5c4b3a29180706f5e4d3","Hint":"sha256","FromHash":true}],"Traits":[{"Name":"city","ValueJson":"\u0022Lyon\u0022"},{"Name":"pr\u00E9nom","ValueJson":null}],"PropertiesJson":"{\u0022storeId\u0022:\u0022LYON-2\u0022,\u0022amount\u0022:89.90}","RefusedLinks":[{"Type":"crm_id","Key":"9a71c2d3e4f5061728394a5b6c7d8e9f0a1b2c3d4e5f60718293a4b5c6d7e8f9","Hint":"CRM-***42","Reason":"limit","TouchpointId":"pos-77-20261122-0042","At":"2026-11-22T10:15:00.1234567+01:00"}]}
        """;

    private static readonly DateTimeOffset LegacyTime = new DateTimeOffset(2026, 11, 22, 10, 15, 0, TimeSpan.FromHours(1)).AddTicks(1_234_567);

    private static readonly Touchpoint LegacyTouchpoint = new(
        "pos-77-20261122-0042",
        LegacyTime,
        "store",
        "purchase",
        [
            new IdentifierRef("loyalty_id", "8bfb3e1c0d5a4f6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d", "F***23", FromHash: false),
            new IdentifierRef("email", "17375f0b2e1d4c3b2a190817f6e5d4c3b2a1908f7e6d5c4b3a29180706f5e4d3", "sha256", FromHash: true),
        ],
        [new TraitWrite("city", "\"Lyon\""), new TraitWrite("prénom", null)],
        """{"storeId":"LYON-2","amount":89.90}""")
    {
        RefusedLinks =
        [
            new RefusedLink("crm_id", "9a71c2d3e4f5061728394a5b6c7d8e9f0a1b2c3d4e5f60718293a4b5c6d7e8f9", "CRM-***42", RefusalReasons.Limit,
                "pos-77-20261122-0042", LegacyTime),
        ],
    };

    private static readonly string[] TraitValues = ["\"Paul\"", "89.9", "true", "false", "-0.0", "1e300", "\"Ærøskøbing 日本 😀\"", "\"\""];

    private static readonly string[] IdentifierTypes = ["email", "phone", "cookie", "crm_id", "loyalty_id", "x"];

    private static readonly string[] RefusalReasonValues = [RefusalReasons.Limit, RefusalReasons.Unlink];

    // Accents, combining marks, right-to-left, characters outside the Basic Multilingual Plane, JSON's own punctuation.
    private static readonly string[] TextPieces = ["a", "Z", "0", "-", "_", ".", "é", "ß", "e\u0301", "日本", "عربي", "😀", "𝄞", "\"", "\\", "{", "}", " ", "@"];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Any_touchpoint_comes_back_exactly_from_its_compact_form(int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < 500; i++)
        {
            var touchpoint = RandomTouchpoint(random);
            var stored = StoredTouchpoint.Encode(touchpoint);

            Assert.NotEqual((byte)'{', stored[0]);
            Assert.Equal(Exactly(touchpoint), Exactly(StoredTouchpoint.Decode(stored)));
        }
    }

    [Fact]
    public void A_touchpoint_stored_as_json_by_the_previous_version_still_reads() =>
        Assert.Equal(Exactly(LegacyTouchpoint), Exactly(StoredTouchpoint.Decode(System.Text.Encoding.UTF8.GetBytes(LegacyJson))));

    [Fact]
    public void A_retail_touchpoint_takes_under_half_the_bytes_of_its_json() =>
        Assert.InRange(StoredTouchpoint.Encode(LegacyTouchpoint).Length, 1, LegacyJson.Length / 2);

    [Fact]
    public void A_value_in_an_encoding_this_version_does_not_know_is_refused_rather_than_misread() =>
        Assert.Throws<InvalidDataException>(() => StoredTouchpoint.Decode(new byte[] { 3, 0x91, 0x01 }));

    [Fact]
    public void A_touchpoint_whose_content_retention_removed_comes_back_as_such_with_its_links()
    {
        var stored = StoredTouchpoint.Encode(LegacyTouchpoint.LinksOnly());

        var read = StoredTouchpoint.Decode(stored);

        Assert.Equal(2, stored[0]);
        Assert.True(read.ContentRemoved);
        Assert.False(StoredTouchpoint.Decode(StoredTouchpoint.Encode(LegacyTouchpoint)).ContentRemoved);
        Assert.Equal(Exactly(LegacyTouchpoint.LinksOnly()), Exactly(read));
        Assert.Equal((LegacyTouchpoint.Id, LegacyTime, 2, 1), (read.Id, read.OccurredAt, read.Identifiers.Count, read.RefusedLinks.Count));
        Assert.Equal(("", "", 0, (string?)null), (read.Channel, read.Type, read.Traits.Count, read.PropertiesJson));
    }

    [Fact]
    public async Task A_journey_mixing_json_and_compact_touchpoints_reads_whole_and_in_order()
    {
        var (journeys, writer, _, redis) = await fixture.OpenStoresAsync("redis");
        await using var _ = redis;
        var profileId = $"p-{Guid.NewGuid():n}";
        var older = LegacyTouchpoint;
        var later = LegacyTouchpoint with { Id = $"web-{Guid.NewGuid():n}", OccurredAt = LegacyTouchpoint.OccurredAt.AddMinutes(5) };
        var opened = await journeys.OpenAsync(profileId, 0);
        await writer.AppendAsync(profileId, opened.WriterEpoch, [older, later], null, null);

        // The older touchpoint as the previous version stored it.
        await redis!.GetDatabase().HashSetAsync(RedisLayout.JourneyTouchpoints(profileId), older.Id, LegacyJson);

        Assert.Equal([Exactly(older), Exactly(later)], (await journeys.OpenAsync(profileId, 0)).Missed.Select(Exactly));
        Assert.Equal([Exactly(later), Exactly(older)], (await journeys.ReadPageAsync([profileId], null, 10)).Select(Exactly));
    }

    [Fact]
    public async Task Random_touchpoints_appended_and_rewritten_in_redis_read_back_exactly()
    {
        var (journeys, writer, _, redis) = await fixture.OpenStoresAsync("redis");
        await using var _ = redis;
        var profileId = $"p-{Guid.NewGuid():n}";
        var random = new Random(7);
        var touchpoints = Enumerable.Range(0, 120).Select(n => RandomTouchpoint(random) with { Id = $"t{n}-{Guid.NewGuid():n}" }).ToList();
        var epoch = (await journeys.OpenAsync(profileId, 0)).WriterEpoch;
        foreach (var batch in touchpoints.Chunk(40)) epoch = (await writer.AppendAsync(profileId, epoch, batch, null, null)).WriterEpoch;

        Assert.Equal(touchpoints.Select(Exactly), (await journeys.OpenAsync(profileId, 0)).Missed.Select(Exactly));
        Assert.Equal(touchpoints.OrderBy(JourneyPosition.Of).Select(Exactly), (await journeys.ReadPageAsync([profileId], null, 500)).Select(Exactly));

        // A split rewrites the journey with the part that stays.
        var kept = touchpoints.Where((_, n) => n % 3 != 0).ToList();
        await writer.RewriteAsync(profileId, kept, []);
        Assert.Equal(kept.Select(Exactly), (await journeys.OpenAsync(profileId, 0)).Missed.Select(Exactly));
    }

    /// <summary>Every field, the offsets of times included (DateTimeOffset equality ignores them), as text.</summary>
    private static string Exactly(Touchpoint touchpoint) => JsonSerializer.Serialize(touchpoint);

    private static Touchpoint RandomTouchpoint(Random random)
    {
        var id = RandomText(random, 1, 60);
        var occurredAt = RandomTime(random);
        var identifiers = Enumerable.Range(0, random.Next(0, 5)).Select(_ => RandomIdentifier(random)).ToList();
        var traits = Enumerable.Range(0, random.Next(0, 4))
            .Select(_ => new TraitWrite(RandomText(random, 1, 20), random.Next(3) == 0 ? null : random.GetItems(TraitValues, 1)[0]))
            .ToList();
        var properties = random.Next(3) switch
        {
            0 => null,
            1 => "{}",
            _ => JsonSerializer.Serialize(new Dictionary<string, string> { [RandomText(random, 1, 10)] = RandomText(random, 0, 200) }),
        };
        var refused = Enumerable.Range(0, random.Next(4) == 0 ? random.Next(1, 3) : 0).Select(_ => RandomRefusedLink(random, id, occurredAt)).ToList();
        var consent = Enumerable.Range(0, random.Next(3) == 0 ? random.Next(1, 4) : 0).Select(_ => RandomDecision(random)).ToList();
        return new Touchpoint(id, occurredAt, RandomText(random, 1, 32), RandomText(random, 1, 64), identifiers, traits, properties)
        {
            RefusedLinks = refused,
            Consent = consent,
        };
    }

    private static string RandomText(Random random, int minPieces, int maxPieces) =>
        string.Concat(random.GetItems(TextPieces, random.Next(minPieces, maxPieces + 1)));

    /// <summary>From 1990 to 2100, to the tick, at any offset a client may send (whole minutes, -14:00 to +14:00).</summary>
    private static DateTimeOffset RandomTime(Random random)
    {
        var utc = new DateTimeOffset(1990, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(random.NextInt64(TimeSpan.FromDays(110 * 365).Ticks));
        return utc.ToOffset(TimeSpan.FromMinutes(random.Next(-14 * 60, 14 * 60 + 1)));
    }

    /// <summary>Mostly keys as the HMAC makes them; now and then one that is not lower-case hex, which must survive
    /// too. An identifier sent only as a SHA-256 has a hint that shows nothing of the value.</summary>
    private static IdentifierRef RandomIdentifier(Random random)
    {
        var hmac = new byte[32];
        random.NextBytes(hmac);
        var key = random.Next(10) switch
        {
            0 => Convert.ToHexString(hmac),
            1 => RandomText(random, 0, 10),
            _ => Convert.ToHexStringLower(hmac),
        };
        var fromHash = random.Next(3) == 0;
        return new IdentifierRef(random.GetItems(IdentifierTypes, 1)[0], key, fromHash ? "sha256" : RandomText(random, 1, 12), fromHash);
    }

    /// <summary>Any purpose, channel and document text, with or without them; an expiry at any offset, or none.</summary>
    private static ConsentDecision RandomDecision(Random random) => new(
        RandomText(random, 1, 10),
        random.Next(2) == 0 ? null : RandomText(random, 1, 10),
        random.Next(2) == 0,
        random.Next(2) == 0 ? null : RandomText(random, 0, 40),
        random.Next(2) == 0 ? null : RandomTime(random));

    /// <summary>Most refused links are the touchpoint's own; a resolution also records links of other touchpoints.</summary>
    private static RefusedLink RandomRefusedLink(Random random, string touchpointId, DateTimeOffset occurredAt)
    {
        var other = RandomIdentifier(random);
        var own = random.Next(3) > 0;
        return new RefusedLink(other.Type, other.Key, other.Hint, random.GetItems(RefusalReasonValues, 1)[0],
            own ? touchpointId : RandomText(random, 1, 60), own ? occurredAt : RandomTime(random));
    }
}
