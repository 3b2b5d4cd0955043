using Profiles.Core.Profiles;
using Profiles.Core.Touchpoints;
using Profiles.Grains.Abstractions;
using Profiles.Grains.Journey;

namespace Profiles.Grains.Identity;

/// <summary>
/// A unified customer: where a profile is merged. Not reentrant: each call runs alone, so the fold, the
/// forwarding pointer and the journey log stay consistent without locks. The only calls it makes are
/// <see cref="IProfileGrain.Absorb"/> on a strictly smaller profile id.
/// Touchpoints are durable once the journey store has them, so applying them does not wait for a state
/// write: the snapshot is written at most every few seconds while it changes (and on deactivation), and an
/// activation folds in whatever the journey holds beyond it. Merges write at once: their content is in no log.
/// </summary>
public sealed class ProfileGrain(
    [PersistentState("profile", ProfilesStorage.Name)] IPersistentState<ProfileState> state,
    IJourneyStore journey) : Grain, IProfileGrain
{
    private string Id => this.GetPrimaryKeyString();

    private ProfileState Profile => state.State;

    private static readonly TimeSpan SnapshotInterval = TimeSpan.FromSeconds(5);

    private bool _snapshotBehind;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (Profile.ForwardedTo is null) await CatchUpWithJourney();
        await FinishInterruptedHandOff();
        this.RegisterGrainTimer(WriteSnapshotIfBehind, SnapshotInterval, SnapshotInterval);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => WriteSnapshotIfBehind();

    public async Task<ApplyOutcome> Apply(Immutable<List<Touchpoint>> batch)
    {
        await FinishInterruptedHandOff();
        if (Profile.ForwardedTo is { } forwardedTo) return new ApplyOutcome(forwardedTo, []);
        var touchpoints = batch.Value;
        var appended = await journey.AppendAsync(Id, touchpoints);
        for (var i = 0; i < touchpoints.Count; i++)
        {
            if (appended.IsNew[i]) Profile.Content.Add(touchpoints[i]);
        }
        if (appended.LogLength != Profile.AppliedLogLength)
        {
            Profile.AppliedLogLength = appended.LogLength;
            Profile.Version++;
            _snapshotBehind = true;
        }
        return new ApplyOutcome(null, appended.IsNew);
    }

    public async Task<Redirect> MergeInto(string survivorId)
    {
        await FinishInterruptedHandOff();
        if (Profile.ForwardedTo is { } forwardedTo) return Redirect.To(forwardedTo);
        EnsureSmaller(survivorId, Id);
        // Record where we go before handing over: a crash in between resumes the hand-off on activation,
        // and the survivor takes our content only once.
        Profile.ForwardedTo = survivorId;
        Profile.HandoffPending = true;
        await WriteSnapshot();
        return Redirect.DoneAt(await HandOff());
    }

    public async Task<Redirect> Absorb(Immutable<AbsorbedProfile> absorbed)
    {
        await FinishInterruptedHandOff();
        if (Profile.ForwardedTo is { } forwardedTo) return Redirect.To(forwardedTo);
        var loser = absorbed.Value;
        EnsureSmaller(Id, loser.ProfileId);
        if (Profile.Merged.Add(loser.ProfileId))
        {
            Profile.Content.Merge(loser.Content);
            Profile.Merged.UnionWith(loser.MergedProfileIds);
            Profile.Version++;
            await WriteSnapshot();
        }
        return Redirect.DoneAt(Id);
    }

    public async Task<ProfileSnapshot> Get()
    {
        await FinishInterruptedHandOff();
        return new ProfileSnapshot(Id, Profile.ForwardedTo, Profile.Content.Copy(), [.. Profile.Merged.Order(StringComparer.Ordinal)], Profile.Version);
    }

    /// <summary>A hand-off cut short (a crash, or storage failing mid-way) completes before anything else is
    /// answered, so no caller follows the forwarding pointer to a survivor that lacks this profile's content.</summary>
    private async Task FinishInterruptedHandOff()
    {
        if (Profile.HandoffPending) await HandOff();
    }

    private async Task<string> HandOff()
    {
        var loser = new AbsorbedProfile(Id, Profile.Content, [.. Profile.Merged]).AsImmutable();
        var target = Profile.ForwardedTo!;
        Redirect landed;
        while (!(landed = await GrainFactory.GetGrain<IProfileGrain>(target).Absorb(loser)).Done)
        {
            target = landed.ProfileId;
        }
        Profile.ForwardedTo = landed.ProfileId;
        Profile.HandoffPending = false;
        Profile.Content = new ProfileContent();
        Profile.Merged.Clear();
        await WriteSnapshot();
        return landed.ProfileId;
    }

    /// <summary>The snapshot may lag the journey when a node died between the two writes; the journey wins.</summary>
    private async Task CatchUpWithJourney()
    {
        var missed = await journey.ReadLogAsync(Id, Profile.AppliedLogLength);
        if (missed.Count == 0) return;
        foreach (var touchpoint in missed) Profile.Content.Add(touchpoint);
        Profile.AppliedLogLength += missed.Count;
        Profile.Version++;
        await WriteSnapshot();
    }

    private Task WriteSnapshotIfBehind() => _snapshotBehind ? WriteSnapshot() : Task.CompletedTask;

    private async Task WriteSnapshot()
    {
        await state.WriteStateAsync();
        _snapshotBehind = false;
    }

    private static void EnsureSmaller(string survivorId, string loserId)
    {
        if (string.CompareOrdinal(survivorId, loserId) >= 0)
        {
            throw new InvalidOperationException($"Profile {loserId} cannot merge into {survivorId}: merges go to the smaller id.");
        }
    }
}

[GenerateSerializer, Alias("ProfileState")]
public sealed class ProfileState
{
    [Id(0)] public ProfileContent Content { get; set; } = new();

    /// <summary>Set once this profile was merged into a smaller one: the union-find parent link.</summary>
    [Id(1)] public string? ForwardedTo { get; set; }

    /// <summary>True between recording <see cref="ForwardedTo"/> and the survivor confirming it took the content.</summary>
    [Id(2)] public bool HandoffPending { get; set; }

    /// <summary>Every profile merged into this one, directly or not: the journeys to read, and the absorb idempotency keys.</summary>
    [Id(3)] public HashSet<string> Merged { get; set; } = new(StringComparer.Ordinal);

    /// <summary>How many entries of this profile's journey log the content holds.</summary>
    [Id(4)] public long AppliedLogLength { get; set; }

    [Id(5)] public long Version { get; set; }
}
