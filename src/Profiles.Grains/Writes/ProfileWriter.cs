using Profiles.Core.Consent;
using Profiles.Core.Profiles;
using Profiles.Core.Resolution;
using Profiles.Core.Touchpoints;
using Profiles.Grains.Changes;
using Profiles.Grains.Journey;
using Profiles.Grains.Standing;

namespace Profiles.Grains.Writes;

/// <summary>
/// Builds the <see cref="ProfileWrite"/> of each kind of write and has the store apply it: a journey append with the
/// standing it leads to, a standing report, an erasure, a resolution's rewrite. The meaning of every write (which
/// counters move, which changes reach the feed) is decided here and in <see cref="StandingStep"/>, the same for Redis
/// and the embedded default.
/// </summary>
/// <param name="purposes">The consent purposes, whose defaults count as announced in the feed.</param>
public sealed class ProfileWriter(IWriteStore store, TimeProvider time, ConsentPurposes purposes)
{
    /// <summary>Appends every touchpoint whose id its shard never stored to the profile's journey, with a
    /// <c>touchpoint</c> change in the feed for each. Only the profile's own grain appends to its log, one call at a
    /// time.</summary>
    /// <param name="profileId">The profile.</param>
    /// <param name="writerEpoch">The epoch the appending activation holds (<see cref="IJourneyStore.OpenAsync"/>, then
    /// each append's <see cref="AppendResult.WriterEpoch"/>).</param>
    /// <param name="touchpoints">In order.</param>
    /// <param name="reported">The standing the profile last reported (null: none), which the store should hold.</param>
    /// <param name="standingIfAllNew">The profile's standing once these are folded in, recorded in the same write when
    /// every one of them is new and the store holds <paramref name="reported"/> (otherwise the caller reports the
    /// standing it then has).</param>
    /// <exception cref="JourneyWriterSupersededException">A later activation of the profile opened the journey, or the
    /// profile was erased.</exception>
    public async Task<AppendResult> AppendAsync(
        string profileId, long writerEpoch, IReadOnlyList<Touchpoint> touchpoints, ProfileStanding? reported, ProfileStanding? standingIfAllNew)
    {
        var step = standingIfAllNew is null ? null : StandingStep.Between(profileId, reported, standingIfAllNew, time.GetUtcNow(), purposes, onlyIfAllNew: true);
        var outcome = await store.ApplyAsync(new ProfileWrite(profileId, writerEpoch, touchpoints, step, [], JourneyChange.None));
        if (outcome is not WriteOutcome.Applied applied) throw new JourneyWriterSupersededException(profileId);
        return new AppendResult(applied.IsNew, applied.LogLength, applied.Standing is StandingOutcome.Done, applied.WriterEpoch);
    }

    /// <summary>Records a profile's standing (null: it no longer stands, merged away or erased) and appends the changes
    /// to the feed, in one atomic write. Repeating a report changes nothing.</summary>
    public async Task ReportAsync(string profileId, ProfileStanding? standing, IReadOnlyList<ProfileChange> changes) =>
        await StepAsync(profileId, await store.StoredStandingAsync(profileId), standing, changes, JourneyChange.None);

    /// <summary>Deletes the profile's journey and the idempotency records of its touchpoints, withdraws its standing,
    /// and remembers (by a hash of its id, never the id) that the profile was erased; for the profile that stood for
    /// the customer, the customer's <c>erased</c> change in the feed, in the same write.</summary>
    /// <param name="profileId">The profile.</param>
    /// <param name="mergedProfileIds">For the profile that stood for the customer, every profile merged into it, which
    /// its <c>erased</c> change names; null for one of those (the customer's change names it).</param>
    /// <param name="reason">Why, when nobody asked (<see cref="ErasureReasons"/>); the change's <c>reason</c>.</param>
    public async Task EraseAsync(string profileId, IReadOnlyList<string>? mergedProfileIds, string? reason = null)
    {
        IReadOnlyList<ProfileChange> changes = mergedProfileIds is null ? [] : [ProfileChange.Erased(profileId, mergedProfileIds, time.GetUtcNow(), reason)];
        // The tombstone says the customer left every audience: an audience.exited naming them would be a change of the
        // erased customer that the feed must not carry.
        await StepAsync(profileId, await store.StoredStandingAsync(profileId), null, changes, new JourneyChange.Erased(), audienceChanges: false);
    }

    /// <summary>Makes the profile's journey exactly <paramref name="touchpoints"/>, in that order, with the idempotency
    /// records of its shard to match: what a resolution, which holds every profile of the component, does to each.
    /// Repeating it changes nothing; a touchpoint moving between two profiles is written at its new place, and its old
    /// place lets go of its idempotency record only while it still names the old profile, so it is never in neither.</summary>
    /// <param name="profileId">The profile.</param>
    /// <param name="touchpoints">Its journey, in order.</param>
    /// <param name="removed">Its removed content: the figures of touchpoints whose content retention removed.</param>
    /// <returns>The journey's length.</returns>
    public async Task<long> RewriteAsync(string profileId, IReadOnlyList<Touchpoint> touchpoints, IReadOnlyList<RemovedContent> removed)
    {
        var kept = touchpoints.Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
        string[] dropped = [.. (await store.JourneyIdsAsync(profileId)).Where(id => !kept.Contains(id))];
        var rewritten = new JourneyChange.Rewritten(touchpoints, dropped) { Removed = removed };
        var outcome = await store.ApplyAsync(new ProfileWrite(profileId, null, [], null, [], rewritten));
        return ((WriteOutcome.Applied)outcome).LogLength;
    }

    /// <summary>Once a snapshot of the profile holding the first <paramref name="appliedLogLength"/> entries of its log
    /// is stored, those entries leave the log: no activation catches up from before them again, and without this the
    /// log would keep an id for every touchpoint the profile ever stored. Positions stay absolute.</summary>
    public Task TrimLogAsync(string profileId, long appliedLogLength) =>
        store.ApplyAsync(new ProfileWrite(profileId, null, [], null, [], new JourneyChange.LogTrimmed(appliedLogLength)));

    /// <summary>Retention: takes <paramref name="expired"/> out of the profile's journey, keeping of each what its
    /// links need (an operator entry keeps all it holds: no content), and stores <paramref name="removed"/>, the
    /// journey's removed content with their figures folded in, in the same atomic write. Their ids stay stored, so a
    /// re-send is a duplicate. An operator entry is written again as it is, so that one a history tier held is kept
    /// in Redis with the rest. Only the grain answering for the journey writes this, in a turn of its own.</summary>
    /// <param name="profileId">The journey's profile.</param>
    /// <param name="expired">Entries of the journey, all older than the retention.</param>
    /// <param name="removed">The removed content to store, and the names of the entries it replaces.</param>
    /// <param name="nextAt">When the oldest entry left in the journey occurred; null when none is left.</param>
    public Task RemoveContentAsync(string profileId, IReadOnlyList<Touchpoint> expired,
        (IReadOnlyList<RemovedContent> Entries, IReadOnlyList<string> Replaced) removed, DateTimeOffset? nextAt) =>
        store.ApplyAsync(new ProfileWrite(profileId, null, [], null, [], new JourneyChange.ContentRemoved(
            [.. expired.Select(JourneyPosition.Of)],
            [.. expired.Select(t => OperatorEntry.Is(t) ? t : t.LinksOnly())],
            removed.Entries,
            removed.Replaced,
            nextAt)));

    /// <summary>Applies the write with the standing's step from what the store holds; when another write moved the
    /// stored standing in between, steps again from the one it moved to (the changes are in the feed already).</summary>
    /// <param name="audienceChanges">Whether the feed gets the step's <c>audience.entered</c> and <c>audience.exited</c>
    /// (the only changes of a step to no standing: a profile that stops standing announces no consent).</param>
    private async Task StepAsync(string profileId, string stored, ProfileStanding? standing, IReadOnlyList<ProfileChange> changes, JourneyChange journey,
        bool audienceChanges = true)
    {
        while (true)
        {
            var step = StandingStep.Between(profileId, ProfileStanding.DecodeStored(stored), standing, time.GetUtcNow(), purposes);
            if (!audienceChanges) step = step with { Changes = [] };
            var outcome = await store.ApplyAsync(new ProfileWrite(profileId, null, [], step, changes, journey));
            if (outcome is not WriteOutcome.Applied { Standing: StandingOutcome.Stale stale }) return;
            (stored, changes, journey) = (stale.Stored, [], JourneyChange.None);
        }
    }
}
