using Profiles.Grains.Changes;
using Profiles.Grains.Standing;

namespace Profiles.Grains.Writes;

/// <summary>
/// A profile's standing moving from what the store holds to a new one, and everything that follows from it, worked
/// out here once for both stores: the difference to add to the shard's counters, the audiences entered and left (the
/// member index and the feed's <c>audience.entered</c> / <c>audience.exited</c> changes), and the day to look at its
/// audiences again. A store applies it only while it still holds <see cref="From"/>, so a step is never applied
/// twice, nor on top of a standing it was not computed from: a repeated or stale report changes nothing.
/// </summary>
/// <param name="From">The standing the store must hold; null for none.</param>
/// <param name="To">The standing after; null once the profile no longer stands (merged away, erased).</param>
/// <param name="OnlyIfAllNew">Applied only when every touchpoint the same write appends is new: a standing predicted
/// before knowing which were duplicates.</param>
/// <param name="CounterDeltas">What to add to the shard's counters (names as <see cref="StandingTotals.From"/> reads them).</param>
/// <param name="Entered">Audiences the profile joins.</param>
/// <param name="Exited">Audiences the profile leaves.</param>
/// <param name="AudienceChanges">The feed's changes for <paramref name="Entered"/> and <paramref name="Exited"/>.</param>
public sealed record StandingStep(
    ProfileStanding? From,
    ProfileStanding? To,
    bool OnlyIfAllNew,
    IReadOnlyList<KeyValuePair<string, long>> CounterDeltas,
    IReadOnlyList<string> Entered,
    IReadOnlyList<string> Exited,
    IReadOnlyList<ProfileChange> AudienceChanges)
{
    /// <summary>The encoded standing the store must hold; empty for none.</summary>
    public string Expected => From?.Encode() ?? "";

    /// <summary>The encoded standing stored after the step; empty for none.</summary>
    public string Stored => To?.Encode() ?? "";

    public static StandingStep Between(string profileId, ProfileStanding? from, ProfileStanding? to, DateTimeOffset at, bool onlyIfAllNew = false)
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
        ];
        return new StandingStep(from, to, onlyIfAllNew, [.. deltas.Where(d => d.Value != 0).OrderBy(d => d.Key, StringComparer.Ordinal)], entered, exited, changes);
    }

    private static ProfileChange AudienceChange(string type, string profileId, string audience, DateTimeOffset at) =>
        new(type, profileId, at, [new("audience", audience)]);
}
