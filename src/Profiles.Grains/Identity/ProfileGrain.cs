using Microsoft.Extensions.Logging;
using Profiles.Core.Personalisation;
using Profiles.Contracts.Live;
using Profiles.Core.Profiles;
using Profiles.Core.Rules;
using Profiles.Core.Touchpoints;
using Profiles.Grains.Abstractions;
using Profiles.Grains.Changes;
using Profiles.Grains.Journey;
using Profiles.Grains.Live;
using Profiles.Grains.Observability;
using Profiles.Grains.Standing;
using Profiles.Grains.Storage;
using Profiles.Grains.Writes;

namespace Profiles.Grains.Identity;

/// <summary>
/// A unified customer: where a profile is merged. Not reentrant: each call runs alone, so the fold, the
/// forwarding pointer, the identity rule limits and the journey log stay consistent without locks. The only
/// profile call it awaits is <see cref="IProfileMerge.Absorb"/> on a strictly smaller profile id. The merge protocol
/// (<see cref="MergeProtocol"/>) and a resolution's hold (<see cref="ResolutionHold"/>) are plain classes over its
/// state; this grain gives them its writes and calls.
/// Touchpoints are durable once the journey store has them, so applying them does not wait for a state
/// write: the snapshot is written at most every half minute while it changes (and on deactivation), and an
/// activation folds in whatever the journey holds beyond it. Merges write at once: their content is in no log.
/// After each change the profile reports its standing (statistics, audiences; see <see cref="ProfileStanding"/>),
/// in the journey append's own write when it can.
/// </summary>
[CollectionAgeLimit(Minutes = 2)]
public sealed class ProfileGrain(
    [PersistentState("profile", ProfilesStorage.Name)] IPersistentState<ProfileState> state,
    IJourneyStore journey,
    ProfileWriter writer,
    StandingCalculator standingOf,
    IdentityRules rules,
    Personalisation personalisation,
    TimeProvider time,
    LiveSignals signals,
    ILogger<ProfileGrain> logger) : Grain, IProfileGrain, IMergeHost, IResolutionHoldHost
{
    // A snapshot only spares an activation folding the journey's tail again, so it is written seldom: at 5 s, a
    // customer sending a touchpoint every few seconds had the whole state serialised and written after nearly each
    // one (docs/PERFORMANCE.md). After a crash an activation folds in at most this much of its journey.
    private static readonly TimeSpan SnapshotInterval = TimeSpan.FromSeconds(30);

    // Entries whose content one retention write removes: a journey met for the first time by a long retention may
    // hold years of them.
    private const int RetentionBatch = 500;

    private readonly Watchers _watchers = new(logger, signals, LiveTargetKind.Profile);

    private MergeProtocol? _merge;

    private ResolutionHold? _hold;

    private bool _snapshotBehind;

    // Since when this activation has seen the profile hold both ends of a standing unlink; null while it does not.
    private long? _unlinkedTogetherSince;
    private IGrainTimer? _snapshotTimer;

    // Erased profiles keep no state at all; the journey store remembers them by a hash of their id, so a
    // writer with an out-of-date idea of where an identifier lives learns it here and starts again.
    private bool _erased;

    // The standing last reported, so an append can report the next one in its own write.
    private ProfileStanding? _reported;

    // This activation's writer epoch for the journey (IJourneyStore.OpenAsync): a later activation elsewhere makes
    // the store refuse our appends.
    private long _writerEpoch;

    // Where this activation last trimmed its log (ProfileWriter.TrimLogAsync): most snapshots after the first (a merge,
    // a refused link) apply no new entry, and need not write the trim again.
    private long _logTrimmedBefore;

    // Shards other than our own that hold touchpoints of profiles merged into us: a retry of one of them must
    // still answer duplicate, so an append asks them first.
    private int[] _mergedShards = [];

    // Computed traits, audiences and consent as last evaluated: reads between two changes cost nothing until the day
    // ends or a grant expires.
    private (long Version, DateTimeOffset ValidUntil, PersonalisedValues Values)? _personalised;

    private string Id => this.GetPrimaryKeyString();

    private ProfileState Profile => state.State;

    private MergeProtocol Merge => _merge ??= new MergeProtocol(Id, () => state.State, rules, this);

    private ResolutionHold Hold => _hold ??= new ResolutionHold(Id, () => state.State, rules, time, this);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Activation runs outside the grain call filter: its storage failures are turned into the one callers receive.
        try
        {
            await ActivateAsync();
        }
        catch (Exception e) when (StorageFailureFilter.IsStorageFailure(e))
        {
            throw StorageFailureFilter.Unavailable("Activating a profile", e);
        }
    }

    private async Task ActivateAsync()
    {
        if (Profile.ResolvingBy is not null)
        {
            // A resolution froze this profile and had not released it: its journey may be half rewritten, so it is
            // not caught up with; the resolution finishes what it started (and installs this profile's state). The
            // journey is opened all the same: this activation appends once the profile is released.
            _writerEpoch = (await journey.OpenAsync(Id, Profile.AppliedLogLength)).WriterEpoch;
            Hold.Nudge();
            _mergedShards = MergedShards();
            return;
        }
        if (Profile.ForwardedTo is null) await CatchUpWithJourney();
        if (_erased) return;
        await Merge.FinishInterruptedHandOffAsync();
        if (Profile.ForwardedTo is null) await FoldNewComputedTraits();
        _mergedShards = MergedShards();
        await ReportIfBehind();
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        try
        {
            await WriteSnapshotIfBehind();
        }
        finally
        {
            await _watchers.DeactivateAsync();
        }
    }

    public async Task<ProfileReply<Applied>> Apply(Immutable<List<Touchpoint>> batch)
    {
        if (await UnavailableOrHeld() is { } elsewhere) return ProfileReply<Applied>.Not(elsewhere);

        var touchpoints = batch.Value;
        // An identifier a resolution moved to another profile, or one let go of: the caller read an old pointer.
        if (!await MovedAwayKeysPointHereAgainAsync(touchpoints)) return ProfileReply<Applied>.Not(ProfileReply.Retry(Id, RetryCause.StalePointer));
        var storedElsewhere = _mergedShards.Length == 0
            ? new HashSet<string>()
            : await journey.StoredInAsync(_mergedShards, [.. touchpoints.Select(t => t.Id)]);
        var storedCold = await journey.StoredColdAsync(Id, Profile.Merged, touchpoints);
        var admission = new ProfileAdmission(Profile.Content, rules);
        var landings = new Landing[touchpoints.Count];
        var refused = new RefusedLink[touchpoints.Count][];
        var admitted = new List<Touchpoint>(touchpoints.Count);
        var admittedIndex = new List<int>(touchpoints.Count);
        for (var i = 0; i < touchpoints.Count; i++)
        {
            refused[i] = [];
            if (storedElsewhere.Contains(touchpoints[i].Id) || storedCold.Contains(touchpoints[i].Id))
            {
                landings[i] = Landing.Duplicate;
            }
            else if (admission.TryAdmit(touchpoints[i], out var touchpoint))
            {
                admitted.Add(touchpoint);
                admittedIndex.Add(i);
                refused[i] = [.. touchpoint.RefusedLinks.Skip(touchpoints[i].RefusedLinks.Count)];
            }
            else
            {
                landings[i] = Landing.Rerouted;
            }
        }

        if (admitted.Count > 0 && !await AppendAsync(admitted, admittedIndex, landings)) return ProfileReply<Applied>.Not(ProfileReply.Retry(Id, RetryCause.Superseded));
        var notHeld = touchpoints.SelectMany(t => t.Identifiers).Select(i => i.Key).Where(key => !Profile.Content.Identifiers.ContainsKey(key));
        return ProfileReply<Applied>.Done(Id, new Applied(landings, refused, [.. notHeld.Distinct()], Profile.Content.HoldsUnlinkedPair));
    }

    /// <summary>Appends to the journey with the standing the profile will have if every one is new, folds in the
    /// new ones, and reports the standing again only when it turned out otherwise. False when another activation
    /// took the journey over (<see cref="AppendedOrSupersededAsync"/>).</summary>
    private async Task<bool> AppendAsync(List<Touchpoint> admitted, List<int> admittedIndex, Landing[] landings)
    {
        var predicted = PredictStanding(admitted);
        if (await AppendedOrSupersededAsync(admitted, predicted) is not { } appended) return false;
        var folded = new List<Touchpoint>(admitted.Count);
        for (var k = 0; k < admitted.Count; k++)
        {
            landings[admittedIndex[k]] = appended.IsNew[k] ? Landing.New : Landing.Duplicate;
            if (appended.IsNew[k]) folded.Add(admitted[k]);
        }
        if (appended.LogLength == Profile.AppliedLogLength) return true;
        // The log grew by more than this append: an earlier append whose answer was lost (Redis ran it, the client
        // had timed out), or one by this profile's activation on a node cut off from the cluster. Folding the log
        // from where this activation stands keeps the content the fold of the log, instead of skipping those.
        if (appended.LogLength > Profile.AppliedLogLength + folded.Count) folded = [.. (await journey.ResumeAsync(Id, Profile.AppliedLogLength)).Missed];
        foreach (var touchpoint in folded) Profile.Content.Add(touchpoint, personalisation.Computed);
        Profile.AppliedLogLength += folded.Count;
        var standing = StandingNow();
        if (appended.StandingRecorded && standing.SameAs(predicted)) Reported(standing);
        else await ReportAsync(standing, []);
        SnapshotBehind();
        _watchers.Notify();
        return true;
    }

    /// <summary>The append's result, or null when another activation of this profile opened the journey since this
    /// one: this one was left behind on a node cut off from the cluster, or Orleans briefly ran two. It goes, and the
    /// writer, told to start again, reaches the activation that stands (or a new one, which catches up first).</summary>
    private async Task<AppendResult?> AppendedOrSupersededAsync(List<Touchpoint> touchpoints, ProfileStanding? standingIfAllNew)
    {
        try
        {
            var appended = await writer.AppendAsync(Id, _writerEpoch, touchpoints, _reported, standingIfAllNew);
            _writerEpoch = appended.WriterEpoch;
            return appended;
        }
        catch (JourneyWriterSupersededException e)
        {
            logger.LogWarning("{Reason} This activation goes.", e.Message);
            _snapshotBehind = false;
            this.DeactivateOnIdle();
            return null;
        }
    }

    /// <summary>The standing after these touchpoints as far as it is known without folding them: channels and
    /// identification follow from the touchpoints; audiences are as before, and reported again in the rarer append
    /// that changes them.</summary>
    private ProfileStanding PredictStanding(List<Touchpoint> admitted) => (_reported ?? ProfileStanding.Empty).With(admitted);

    public async Task<ProfileReply> MergeInto(string survivorId, Immutable<IdentifierRef[]> arriving) =>
        await UnavailableOrHeld() ?? await Merge.MergeIntoAsync(survivorId, arriving.Value);

    public async Task<ProfileReply<string[]>> LetGoOfUnheld(string[] keys, string pointedAt)
    {
        if (await UnavailableOrHeld() is { } elsewhere) return ProfileReply<string[]>.Not(elsewhere);
        string[] unheld = [.. keys.Where(key => !Profile.Content.Identifiers.ContainsKey(key))];
        if (unheld.Length == 0) return ProfileReply<string[]>.Done(Id, []);
        // Marked before the pointers go, within this call: no touchpoint bringing them can land here in between.
        foreach (var key in unheld) Profile.MovedAway[key] = string.Empty;
        await WriteSnapshot();
        await Task.WhenAll(unheld.Select(key => GrainFactory.ByKey<IIdentifierGrain>(key).Release([pointedAt, Id])));
        return ProfileReply<string[]>.Done(Id, unheld);
    }

    /// <summary>True unless a touchpoint brings an identifier that was moved away from this profile and points
    /// elsewhere still. One claimed for this profile again since (a first sighting once more) is taken back.</summary>
    private async Task<bool> MovedAwayKeysPointHereAgainAsync(List<Touchpoint> touchpoints)
    {
        if (Profile.MovedAway.Count == 0) return true;
        string[] moved = [.. touchpoints.SelectMany(t => t.Identifiers).Select(i => i.Key)
            .Where(key => Profile.MovedAway.ContainsKey(key) && !Profile.Content.Identifiers.ContainsKey(key)).Distinct(StringComparer.Ordinal)];
        if (moved.Length == 0) return true;
        var pointers = await Task.WhenAll(moved.Select(key => GrainFactory.ByKey<IIdentifierGrain>(key).GetProfile()));
        for (var i = 0; i < moved.Length; i++)
        {
            if (pointers[i] is not { } pointer || (pointer != Id && !Profile.Merged.Contains(pointer))) return false;
            Profile.MovedAway.Remove(moved[i]);
        }
        return true;
    }

    public async Task<ProfileReply> Absorb(Immutable<AbsorbedProfile> loser) => await UnavailableOrHeld() ?? await Merge.AbsorbAsync(loser.Value);

    Task IMergeHost.WriteAsync() => WriteSnapshot();

    Task<ProfileReply> IMergeHost.AbsorbAtAsync(string survivorId, Immutable<AbsorbedProfile> loser) => GrainFactory.ByKey<IProfileMerge>(survivorId).Absorb(loser);

    async Task IMergeHost.AbsorbedAsync()
    {
        await FoldNewComputedTraits();
        await WriteSnapshot();
        _mergedShards = MergedShards();
        ProfilesMetrics.Merges.Add(1);
        await ReportIfBehind();
        _watchers.Notify();
    }

    async Task IMergeHost.HandedOffAsync(bool merged)
    {
        // The survivor withdraws our standing too; doing it here as well covers a survivor that died before.
        if (merged) await writer.ReportAsync(Id, null, []);
        _reported = null;
        _watchers.Notify();
    }

    public async Task<ProfileReply<LimitedKeys>> GetLimitedKeys() =>
        await UnavailableOrHeld() is { } elsewhere
            ? ProfileReply<LimitedKeys>.Not(elsewhere)
            : ProfileReply<LimitedKeys>.Done(Id, LimitCheck.LimitedKeysOf(Profile.Content, rules));

    public async Task<ProfileReply> RecordRefusedLink(Immutable<RefusedLink> refused)
    {
        if (await UnavailableOrHeld() is { } elsewhere) return elsewhere;
        Profile.Content.AddRefusedLink(refused.Value);
        // A refused link changes no figure: a standing reported before is still the standing after.
        var reported = Profile.ReportedVersion == Profile.Version;
        Profile.ChangesOutsideLog++;
        if (reported) Profile.ReportedVersion = Profile.Version;
        await WriteSnapshot();
        _watchers.Notify();
        return ProfileReply.Done(Id);
    }

    public async Task<ProfileReply<ErasedProfile?>> Erase()
    {
        if (await UnavailableOrHeld() is { } elsewhere) return ProfileReply<ErasedProfile?>.Not(elsewhere);
        if (Profile.Content.IsEmpty && Profile.Merged.Count == 0) return ProfileReply<ErasedProfile?>.Done(Id, null);
        return ProfileReply<ErasedProfile?>.Done(Id, await ForgetAsync(announce: true));
    }

    public async Task<ProfileReply<ErasedProfile?>> EraseIfAnonymous(DateTimeOffset lastSeenBefore)
    {
        if (await UnavailableOrHeld() is { } elsewhere) return ProfileReply<ErasedProfile?>.Not(elsewhere);
        var content = Profile.Content;
        var anonymous = !content.IsEmpty && content.Identifiers.Values.All(i => AnonymousIdentifiers.Types.Contains(i.Type));
        if (!anonymous || content.LastSeen >= lastSeenBefore) return ProfileReply<ErasedProfile?>.Done(Id, null);
        return ProfileReply<ErasedProfile?>.Done(Id, await ForgetAsync(announce: true, ErasureReasons.Retention));
    }

    public async Task<ErasedProfile> EraseMerged()
    {
        if (Profile.ResolvingBy is not null) throw new StorageUnavailableException("The profile is being resolved again with its component; erase it once that is done.");
        await Merge.FinishInterruptedHandOffAsync();
        return await ForgetAsync(announce: false);
    }

    /// <param name="announce">Whether this profile stood for the customer: its write carries the customer's
    /// <c>erased</c> change, naming every profile merged into it.</param>
    /// <param name="reason">The change's reason, when nobody asked for the erasure.</param>
    private async Task<ErasedProfile> ForgetAsync(bool announce, string? reason = null)
    {
        var erased = new ErasedProfile([.. Profile.Content.Identifiers.Keys], [.. Profile.Merged.Order(StringComparer.Ordinal)]);
        _erased = true;
        await writer.EraseAsync(Id, announce ? erased.MergedProfileIds : null, reason);
        await state.ClearStateAsync();
        _snapshotBehind = false;
        _reported = null;
        _watchers.Notify();
        return erased;
    }

    public async Task<ProfileReply<Dictionary<string, LinkMark>>> GetLastLinks() =>
        await Unavailable() is { } elsewhere
            ? ProfileReply<Dictionary<string, LinkMark>>.Not(elsewhere)
            : ProfileReply<Dictionary<string, LinkMark>>.Done(Id, new(Profile.Content.LastLinks, StringComparer.Ordinal));

    public async Task<ProfileReply> RecordOperatorEntry(Immutable<Touchpoint> entry)
    {
        if (await UnavailableOrHeld() is { } elsewhere) return elsewhere;
        if (await AppendedOrSupersededAsync([entry.Value], _reported) is not { } appended) return ProfileReply.Retry(Id, RetryCause.Superseded);
        if (appended.LogLength != Profile.AppliedLogLength)
        {
            // The entry counts in no figure: the version moves, and the content only remembers the correction.
            Profile.Content.Add(entry.Value);
            Profile.AppliedLogLength = appended.LogLength;
            if (appended.StandingRecorded) Reported(_reported);
            SnapshotBehind();
        }
        return ProfileReply.Done(Id);
    }

    public Task<ProfileReply<ResolutionView>> Freeze(string resolutionId) => Hold.FreezeAsync(resolutionId);

    public Task<string?> HeldBy() => Task.FromResult(Hold.HeldBy);

    public Task Install(string resolutionId, Immutable<ResolvedProfile> resolved) => Hold.InstallAsync(resolutionId, resolved.Value);

    public Task InstallForward(string resolutionId, string profileId) => Hold.InstallForwardAsync(resolutionId, profileId);

    public Task ReleaseResolution(string resolutionId, Immutable<ProfileChange[]> changes) => Hold.ReleaseAsync(resolutionId, changes.Value);

    Task IResolutionHoldHost.WriteAsync() => WriteSnapshot();

    Task<ProfileReply?> IResolutionHoldHost.UnavailableAsync() => Unavailable();

    /// <summary>One-way, so the call graph keeps its single direction: resolutions call profiles and wait.</summary>
    void IResolutionHoldHost.Nudge(string resolutionId) => GrainFactory.ByKey<IResolutionGrain>(resolutionId).Resume().Ignore();

    void IResolutionHoldHost.Installed()
    {
        _erased = false;
        _personalised = null;
        _mergedShards = MergedShards();
    }

    async Task IResolutionHoldHost.ReleasedAsync(ProfileChange[] changes)
    {
        await ReportAsync(StandingNowOrNone(), changes);
        _watchers.Notify();
    }

    /// <summary>Reports the standing as of now, stepping from the one the store holds: this activation may have assumed
    /// on activation that the standing it then worked out was the one reported, though time alone had changed it since
    /// (a window moved, a grant expired) while the profile was idle.</summary>
    public async Task RefreshStanding()
    {
        if (await Unavailable() is not null) return;
        var standing = StandingNowOrNone();
        var changed = standing is null || !standing.SameAs(_reported);
        await ReportAsync(standing, []);
        // Live watchers see the consent an expiry changed.
        if (changed) _watchers.Notify();
    }

    public Task Watch(IProfileObserver observer) => _watchers.Watch(observer);

    public Task Unwatch(IProfileObserver observer) => _watchers.Unwatch(observer);

    public Task WatchStream(Guid subscriptionId) => _watchers.WatchStream(Id, subscriptionId);

    public Task UnwatchStream(Guid subscriptionId) => _watchers.UnwatchStream(subscriptionId);

    public async Task<ProfileReply> RemoveContentBefore(DateTimeOffset before)
    {
        if (await UnavailableOrHeld() is { } elsewhere) return elsewhere;
        // An activation after a crash folds the journey from the snapshot's place on: the snapshot must hold every
        // touchpoint whose content goes, or their figures would be lost with it.
        await WriteSnapshotIfBehind();
        foreach (var journeyId in (string[])[Id, .. Profile.Merged.Order(StringComparer.Ordinal)]) await RemoveContentAsync(journeyId, before);
        return ProfileReply.Done(Id);
    }

    /// <summary>Removes the content of one journey's entries older than <paramref name="before"/>, a batch per write,
    /// and leaves its shard's retention index saying when the oldest entry left occurred.</summary>
    private async Task RemoveContentAsync(string journeyId, DateTimeOffset before)
    {
        while (true)
        {
            var expired = await journey.ExpiredAsync(journeyId, before, RetentionBatch);
            IReadOnlyList<RemovedContent> existing = expired.Entries.Count == 0 ? [] : await journey.RemovedContentAsync(journeyId);
            var removed = RemovedContent.Fold(existing, expired.Entries, rules, personalisation.Computed);
            await writer.RemoveContentAsync(journeyId, expired.Entries, removed, expired.NextAt);
            if (expired.NextAt is not { } next || next >= before) return;
        }
    }

    public Task<ProfileReply<ProfileSnapshot>> Get() => Task.FromResult(
        UnreadableAs() is { } elsewhere
            ? ProfileReply<ProfileSnapshot>.Not(elsewhere)
            : ProfileReply<ProfileSnapshot>.Done(Id, new ProfileSnapshot(
                Id, Profile.Content.CopyForReading(), [.. Profile.Merged.Order(StringComparer.Ordinal)], Profile.Version, Personalised())));

    public async Task<bool> IsCurrent()
    {
        if (await journey.WriterEpochAsync(Id) <= _writerEpoch) return true;
        DeactivateOnIdle();
        return false;
    }

    public Task<ProfileReply<PersonalisedProfile>> GetPersonalised(string? identifierKey) => Task.FromResult(
        UnreadableAs() is { } elsewhere
            ? ProfileReply<PersonalisedProfile>.Not(elsewhere)
            : ProfileReply<PersonalisedProfile>.Done(Id, new PersonalisedProfile(
                Id,
                Profile.Version,
                !Profile.Content.IsEmpty || Profile.Merged.Count > 0,
                identifierKey is null || Profile.Content.Identifiers.ContainsKey(identifierKey),
                Personalised())));

    /// <summary>
    /// What a read answers instead of the profile, decided from the state as it stands and changing nothing: reads
    /// interleave with the turn of a write awaiting storage (<see cref="IProfileRead"/>), so they see the profile
    /// between changes, never half of one: the state changes only between a write's awaits, each change whole (a
    /// batch is folded once its append is stored, a loser absorbed in one step). A hand-off under way reads as the
    /// profile before it (the survivor may not hold its content yet), an erasure under way as erased. The repairs a
    /// write's turn makes first (<see cref="Unavailable"/>) are asked for in a turn of their own.
    /// </summary>
    private ProfileReply? UnreadableAs()
    {
        if (Profile.ResolvingBy is not null)
        {
            Hold.NudgeIfHeldTooLong();
            return ProfileReply.Retry(Id, RetryCause.Held);
        }
        if (_erased) return ProfileReply.Erased(Id);
        if (Profile.HandoffPending)
        {
            // Under way, or cut short by storage failing: the recheck's turn completes one cut short.
            this.AsReference<IProfileRecheck>().RefreshStanding().Ignore();
            return null;
        }
        if (Profile.ForwardedTo is { } forwardedTo) return ProfileReply.Forwarded(forwardedTo);
        ResolveIfUnlinkedTogether();
        return null;
    }

    /// <summary>Evaluated at read time, for now: a window moves with the date, and a grant expires, without any new
    /// touchpoint.</summary>
    private PersonalisedValues Personalised()
    {
        var now = time.GetUtcNow();
        if (_personalised is { } known && known.Version == Profile.Version && now < known.ValidUntil) return known.Values;
        var values = personalisation.Evaluate(Profile.Content, now);
        _personalised = (Profile.Version, personalisation.StaysValidUntil(Profile.Content, now), values);
        return values;
    }

    private DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    /// <summary>Why this profile cannot carry out a call itself: it was erased, or merged away (the caller goes on
    /// to the survivor); null when it can. A hand-off cut short completes first.</summary>
    private async Task<ProfileReply?> Unavailable()
    {
        if (Profile.ResolvingBy is not null)
        {
            Hold.NudgeIfHeldTooLong();
        }
        else
        {
            await Merge.FinishInterruptedHandOffAsync();
            if (Profile.ForwardedTo is null) ResolveIfUnlinkedTogether();
        }
        if (_erased) return ProfileReply.Erased(Id);
        return Profile.ForwardedTo is { } forwardedTo ? ProfileReply.Forwarded(forwardedTo) : null;
    }

    /// <summary>As <see cref="Unavailable"/>, and while a resolution holds the profile, nothing may change it and
    /// nothing may read it: between installing the profiles of a component and releasing them, an identifier may
    /// point at a profile that no longer holds it.</summary>
    private async Task<ProfileReply?> UnavailableOrHeld()
    {
        var unavailable = await Unavailable();
        return Profile.ResolvingBy is not null ? ProfileReply.Retry(Id, RetryCause.Held) : unavailable;
    }

    /// <summary>A profile holding both ends of a standing unlink is resolved again by the writer or the operator that
    /// made it so; if that one died before it could (a node killed between recording an unlink and splitting), the
    /// profile starts a resolution itself, one-way, once it has answered so for a while.</summary>
    private void ResolveIfUnlinkedTogether()
    {
        if (!Profile.Content.HoldsUnlinkedPair)
        {
            _unlinkedTogetherSince = null;
            return;
        }
        _unlinkedTogetherSince ??= time.GetTimestamp();
        if (time.GetElapsedTime(_unlinkedTogetherSince.Value) <= ResolutionHold.HeldTooLong) return;
        _unlinkedTogetherSince = time.GetTimestamp();
        GrainFactory.ByKey<IResolutionGrain>(ResolutionIds.New(time)).Resolve([Id]).Ignore();
    }

    /// <summary>The snapshot may lag the journey when a node died between the two writes; the journey wins.</summary>
    private async Task CatchUpWithJourney()
    {
        var (missed, erased, writerEpoch) = await journey.OpenAsync(Id, Profile.AppliedLogLength);
        _writerEpoch = writerEpoch;
        _erased = erased && !state.RecordExists;
        if (missed.Count == 0) return;
        foreach (var touchpoint in missed) Profile.Content.Add(touchpoint, personalisation.Computed);
        Profile.AppliedLogLength += missed.Count;
        await WriteSnapshot();
    }

    /// <summary>The standing of this profile now: none once merged away or erased, or while it holds nothing.</summary>
    private ProfileStanding? StandingNowOrNone() =>
        _erased || Profile.ForwardedTo is not null || Profile.Content.IsEmpty ? null : StandingNow();

    private ProfileStanding StandingNow() => standingOf.Of(Profile.Content, Personalised());

    /// <summary>
    /// Repairs what a crash may have left unreported: the standing, when the state changed since the last report,
    /// and the withdrawal of profiles merged into this one (with their <c>merged</c> change, so the feed carries
    /// each merge at least once).
    /// </summary>
    private async Task ReportIfBehind()
    {
        if (Profile.ForwardedTo is not null) return;
        var losers = Profile.LosersToWithdraw.Order(StringComparer.Ordinal).ToArray();
        if (Profile.ReportedVersion == Profile.Version && losers.Length == 0)
        {
            _reported = StandingNowOrNone();
            return;
        }
        var at = time.GetUtcNow();
        await ReportAsync(StandingNowOrNone(), [.. losers.Select(loser => ProfileChange.Merged(Id, loser, at))]);
        await Task.WhenAll(losers.Select(loser => writer.ReportAsync(loser, null, [])));
        Profile.LosersToWithdraw.Clear();
        SnapshotBehind();
    }

    private async Task ReportAsync(ProfileStanding? standing, IReadOnlyList<ProfileChange> changes)
    {
        await writer.ReportAsync(Id, standing, changes);
        Reported(standing);
    }

    private void Reported(ProfileStanding? standing)
    {
        _reported = standing;
        Profile.ReportedVersion = Profile.Version;
    }

    private int[] MergedShards()
    {
        var own = Shards.Of(Id);
        return [.. Profile.Merged.Select(Shards.Of).Where(shard => shard != own).Distinct()];
    }

    /// <summary>A computed trait configured after some of this profile's touchpoints were folded (or a profile
    /// stored before computed traits existed) has state that misses them: the computed traits are folded again
    /// from the journeys, this profile's and those of every profile merged into it. Rare (once per profile after a
    /// configuration change), and the touchpoints are all in the journeys.</summary>
    private async Task FoldNewComputedTraits()
    {
        var content = Profile.Content;
        if (content.IsEmpty || personalisation.Computed.AreCoveredBy(content.ComputedCoverage)) return;
        const int page = 500;
        string[] journeys = [Id, .. Profile.Merged];
        var computed = new Dictionary<string, TraitAccumulator>(StringComparer.Ordinal);
        JourneyPosition? after = null;
        IReadOnlyList<Touchpoint> touchpoints;
        do
        {
            touchpoints = await journey.ReadPageAsync(journeys, after, page);
            foreach (var touchpoint in touchpoints) personalisation.Computed.Add(computed, touchpoint);
            if (touchpoints.Count > 0) after = JourneyPosition.Of(touchpoints[^1]);
        } while (touchpoints.Count == page);
        // A trait already covered keeps its accumulator: it holds the touchpoints whose content retention removed,
        // which the journeys no longer have.
        foreach (var key in content.ComputedCoverage ?? [])
        {
            if (content.Computed.TryGetValue(key, out var covered)) computed[key] = covered;
        }
        content.Computed = computed;
        content.ComputedCoverage = personalisation.Computed.StateKeys;
        logger.LogDebug("Profile {ProfileId}: computed traits folded again from its journeys after a configuration change", Id);
        await WriteSnapshot();
    }

    private Task WriteSnapshotIfBehind() => _snapshotBehind ? WriteSnapshot() : Task.CompletedTask;

    /// <summary>The timer that writes a lagging snapshot exists only while the snapshot lags: an idle profile
    /// (most of them) carries none.</summary>
    private void SnapshotBehind()
    {
        if (_snapshotBehind) return;
        _snapshotBehind = true;
        _snapshotTimer ??= this.RegisterGrainTimer(WriteSnapshotIfBehind, SnapshotInterval, SnapshotInterval);
    }

    private async Task WriteSnapshot()
    {
        personalisation.Computed.Trim(Profile.Content.Computed, Today);
        await state.WriteStateAsync();
        _snapshotBehind = false;
        _snapshotTimer?.Dispose();
        _snapshotTimer = null;
        // Only once the snapshot is stored: an activation catches up from no earlier position than it holds.
        if (Profile.AppliedLogLength == _logTrimmedBefore) return;
        await writer.TrimLogAsync(Id, Profile.AppliedLogLength);
        _logTrimmedBefore = Profile.AppliedLogLength;
    }
}

[GenerateSerializer, Alias("ProfileState")]
public sealed class ProfileState
{
    [Id(0)] public ProfileContent Content { get; set; } = new();

    /// <summary>Set once this profile was merged into a smaller one, or a resolution pointed its id at the profile that
    /// now answers for it (possibly a larger id): the union-find parent link.</summary>
    [Id(1)] public string? ForwardedTo { get; set; }

    /// <summary>True between recording <see cref="ForwardedTo"/> and the survivor confirming it took the content.</summary>
    [Id(2)] public bool HandoffPending { get; set; }

    /// <summary>Every profile merged into this one, directly or not: the journeys to read, and the absorb idempotency keys.</summary>
    [Id(3)] public HashSet<string> Merged { get; set; } = new(StringComparer.Ordinal);

    /// <summary>How many entries of this profile's journey log the content holds.</summary>
    [Id(4)] public long AppliedLogLength { get; set; }

    /// <summary>Changes that reach the state directly, not through the journey: merges in, links refused elsewhere.</summary>
    [Id(5)] public long ChangesOutsideLog { get; set; }

    /// <summary>The <see cref="Version"/> whose standing was last reported: a profile activating with a later
    /// version reports again.</summary>
    [Id(6)] public long ReportedVersion { get; set; }

    /// <summary>Profiles merged into this one whose standing may not have been withdrawn yet.</summary>
    [Id(7)] public HashSet<string> LosersToWithdraw { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The strongest identifier each profile merged into this one held: where its id answers if this
    /// profile's component is ever resolved again and splits.</summary>
    [Id(8)] public Dictionary<string, string> MergedStrongest { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The resolution that holds this profile while it resolves its component again; null otherwise.</summary>
    [Id(9)] public string? ResolvingBy { get; set; }

    /// <summary>Identifiers a resolution moved from this profile to another: a writer still pointing them here (its
    /// node's memory) is told to start again.</summary>
    [Id(10)] public Dictionary<string, string> MovedAway { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Counts every change, and is the same after a crash and catch-up as before it.</summary>
    public long Version => AppliedLogLength + ChangesOutsideLog;
}
