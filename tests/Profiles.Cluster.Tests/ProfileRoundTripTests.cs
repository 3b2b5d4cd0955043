using Microsoft.Extensions.DependencyInjection;
using Profiles.Core.Consent;
using Profiles.Core.Personalisation;
using Profiles.Core.Profiles;
using Profiles.Core.Resolution;
using Profiles.Grains.Resolution;
using Profiles.Testing;

namespace Profiles.Cluster.Tests;

/// <summary>
/// A profile holding every kind of content crosses grain calls between the two silos and Redis grain storage unchanged:
/// what it stored and what the other node reads of it are exactly what Core folds of the profile's own journey.
/// </summary>
public sealed class ProfileRoundTripTests : IAsyncLifetime
{
    private RedisServer _redis = null!;
    private TwoSiloCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _cluster = await TwoSiloCluster.StartAsync(_redis.ConnectionString, services => services
            .AddSingleton(EveryKindOfContent.Rules)
            .AddSingleton(EveryKindOfContent.Personalisation));
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task A_profile_with_every_kind_of_content_reads_back_unchanged_from_storage_and_on_the_other_node()
    {
        var now = DateTimeOffset.UtcNow;
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        // One at a time, so the second phone is the one over the limit.
        foreach (var touchpoint in EveryKindOfContent.Touchpoints(today)) await _cluster.IngestAsync(touchpoint);
        var profileId = (await _cluster.Reader(0).FindByIdentifierAsync(EveryKindOfContent.Email.Key))!.ProfileId;
        var relink = await _cluster.Corrections(1).CorrectAsync(OperatorEntry.Relink, profileId, [EveryKindOfContent.Email, EveryKindOfContent.Phone]);
        Assert.IsType<Correction.Done>(relink);

        var stored = await _cluster.ReadStoredStateAsync(profileId);
        var read = (await _cluster.Reader(1).FindByIdAsync(profileId))!;
        var personalised = (await _cluster.Reader(1).FindPersonalisedByIdAsync(profileId))!;
        var expected = new ProfileContent();
        foreach (var touchpoint in await _cluster.JourneyAsync(profileId)) expected.Add(touchpoint, EveryKindOfContent.Personalisation.Computed);

        Assert.Equal(EveryKindOfContent.Seen(expected, today), EveryKindOfContent.Seen(stored.Content, today));
        Assert.Equal(CanonicalContent.Of(expected.CopyForReading()), CanonicalContent.Of(read.Content));
        var values = EveryKindOfContent.Personalisation.Evaluate(expected, now);
        Assert.Equal(values.Names, personalised.Personalised.Names);
        Assert.Equal(values.Computed.Select(v => v.ToString()), personalised.Personalised.Computed.Select(v => v.ToString()));
        Assert.Equal(values.Audiences, personalised.Personalised.Audiences);
        // Every kind of content is there to cross, so none could have been lost on both sides alike.
        Assert.Equal(4, read.Content.Identifiers.Count);
        Assert.Contains(read.Content.Identifiers.Values, i => i.FromHash);
        Assert.Null(read.Content.Traits["city"].ValueJson);
        Assert.Equal(EveryKindOfContent.SecondPhone.Key, Assert.Single(read.Content.RefusedLinks.Values).Key);
        Assert.Equal(["cookie", "email", "phone"], stored.Content.LastLinks.Keys.Order());
        Assert.False(Assert.Single(stored.Content.Corrections.Values).Unlinks);
        Assert.Equal(["big_spenders", "buyers", "omnichannel", "sms_marketing"], personalised.Personalised.Audiences);
        Assert.Equal(4, read.Content.Consent!.History.Count());
        Assert.Equal(Described(values.Consent), Described(personalised.Personalised.Consent));
        Assert.DoesNotContain(personalised.Personalised.Computed, v => v.Kind == ComputedValueKind.Null);
    }

    private static string[] Described(IEnumerable<PurposeConsent> consent) =>
        [.. consent.Select(c => $"{c.Purpose} {c.Granted} {c.Decided} {string.Join(',', c.Channels)}")];
}
