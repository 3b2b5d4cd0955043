using Profiles.Core.Consent;
using Profiles.Grains.Changes;
using Profiles.Grains.Standing;

namespace Profiles.Grains.Writes;

/// <summary>
/// A profile's standing moving from what the store holds to a new one, and everything that follows from it, worked
/// out here once for both stores: the difference to add to the shard's counters, the audiences entered and left (the
/// member index and the feed's <c>audience.entered</c> / <c>audience.exited</c> changes), the consent statuses that
/// changed (the feed's <c>consent</c> changes), and the moment to look at it again. A store applies it only while it
/// still holds <see cref="From"/>, so a step is never applied twice, nor on top of a standing it was not computed from:
/// a repeated or stale report changes nothing.
/// </summary>
/// <param name="From">The standing the store must hold; null for none.</param>
/// <param name="To">The standing after; null once the profile no longer stands (merged away, erased).</param>
/// <param name="OnlyIfAllNew">Applied only when every touchpoint the same write appends is new: a standing predicted
/// before knowing which were duplicates.</param>
/// <param name="CounterDeltas">What to add to the shard's counters (names as <see cref="StandingTotals.From"/> reads them).</param>
/// <param name="Entered">Audiences the profile joins.</param>
/// <param name="Exited">Audiences the profile leaves.</param>
/// <param name="Changes">The feed's changes: for <paramref name="Entered"/> and <paramref name="Exited"/>, then for each
/// consent status that changed.</param>
public sealed record StandingStep(
    ProfileStanding? From,
    ProfileStanding? To,
    bool OnlyIfAllNew,
    IReadOnlyList<KeyValuePair<string, long>> CounterDeltas,
    IReadOnlyList<string> Entered,
    IReadOnlyList<string> Exited,
    IReadOnlyList<ProfileChange> Changes)
{
    /// <summary>The encoded standing the store must hold; empty for none.</summary>
    public string Expected => From?.Encode() ?? "";

    /// <summary>The encoded standing stored after the step; empty for none.</summary>
    public string Stored => To?.Encode() ?? "";

    /// <param name="purposes">The configured purposes, whose defaults a standing without a decision stands for.</param>
    public static StandingStep Between(string profileId, ProfileStanding? from, ProfileStanding? to, DateTimeOffset at, ConsentPurposes purposes,
        bool onlyIfAllNew = false)
    {
        var deltas = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (counter, value) in to?.Counters() ?? []) deltas[counter] = deltas.GetValueOrDefault(counter) + value;
        foreach (var (counter, value) in from?.Counters() ?? []) deltas[counter] = deltas.GetValueOrDefault(counter) - value;
        IReadOnlyList<string> before = from?.Audiences ?? [], after = to?.Audiences ?? [];
        string[] entered = [.. after.Except(before, StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        string[] exited = [.. before.Except(after, StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        ProfileChange[] changes =
        [
            .. entered.Select(audience => AudienceChange(ChangeTypes.AudienceEntered, profileId, audience, at)),
            .. exited.Select(audience => AudienceChange(ChangeTypes.AudienceExited, profileId, audience, at)),
            .. ConsentChanges(profileId, from, to, at, purposes),
        ];
        return new StandingStep(from, to, onlyIfAllNew, [.. deltas.Where(d => d.Value != 0).OrderBy(d => d.Key, StringComparer.Ordinal)], entered, exited, changes);
    }

    private static ProfileChange AudienceChange(string type, string profileId, string audience, DateTimeOffset at) =>
        new(type, profileId, at, [new("audience", audience)]);

    /// <summary>
    /// A <c>consent</c> change for each (purpose, channel) whose status differs from what the profile announced before:
    /// the purpose-wide status, and each channel with decisions of its own on either side. A status no decision gives
    /// is the purpose's default, which counts as announced, so a new profile announces only what its decisions change,
    /// and a changed default is announced by no one. A profile that stops standing (merged away, erased) announces
    /// nothing: the profile that took its decisions announces what they change there.
    /// </summary>
    private static IEnumerable<ProfileChange> ConsentChanges(string profileId, ProfileStanding? from, ProfileStanding? to, DateTimeOffset at, ConsentPurposes purposes)
    {
        if (to is null) yield break;
        var before = from?.Consent ?? ProfileStanding.Empty.Consent;
        foreach (var purpose in purposes.Names)
        {
            var grantedByDefault = purposes.GrantedByDefault(purpose);
            var wide = ProfileStanding.ConsentKey(purpose, null);
            var (wideBefore, wideAfter) = (before.GetValueOrDefault(wide, grantedByDefault), to.Consent.GetValueOrDefault(wide, grantedByDefault));
            if (wideBefore != wideAfter) yield return ConsentChange(profileId, purpose, null, wideAfter, at);
            var prefix = $"{wide}/";
            var channels = before.Keys.Concat(to.Consent.Keys).Where(key => key.StartsWith(prefix, StringComparison.Ordinal)).Distinct().Order(StringComparer.Ordinal);
            foreach (var key in channels)
            {
                var (channelBefore, channelAfter) = (before.GetValueOrDefault(key, wideBefore), to.Consent.GetValueOrDefault(key, wideAfter));
                if (channelBefore != channelAfter) yield return ConsentChange(profileId, purpose, key[prefix.Length..], channelAfter, at);
            }
        }
    }

    private static ProfileChange ConsentChange(string profileId, string purpose, string? channel, bool granted, DateTimeOffset at) =>
        ProfileChange.Consent(profileId, purpose, channel, ConsentStatus.Of(granted), at);
}
