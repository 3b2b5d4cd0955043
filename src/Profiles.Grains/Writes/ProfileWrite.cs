using Profiles.Core.Profiles;
using Profiles.Core.Touchpoints;
using Profiles.Grains.Changes;
using Profiles.Grains.Journey;

namespace Profiles.Grains.Writes;

/// <summary>
/// Everything one turn of a profile grain (or a resolution, or an erasure) writes, computed once in C#: the
/// journey entries with their idempotency owners and <c>touchpoint</c> changes, the standing's step with its counter
/// deltas and audience changes, and the other changes for the feed. A store applies it atomically and knows no
/// business rule: <see cref="RedisWrites"/> turns it into the operations of one generic script, the embedded
/// store applies it to its maps. Every write of a profile goes to its shard (<see cref="Storage.Shards"/>).
/// </summary>
/// <param name="ProfileId">The profile written.</param>
/// <param name="Writer">For writes that append to the journey: the epoch the appending activation holds. Null for
/// writes that do not append.</param>
/// <param name="Appended">Touchpoints to append, in order; each is stored once per shard (a duplicate is skipped).</param>
/// <param name="Standing">The standing's step, applied only while the store holds the standing it starts from.</param>
/// <param name="Changes">Changes appended to the feed whatever else happens (merges, splits, an erasure).</param>
/// <param name="Journey">What else happens to the journey: none, erased, or rewritten by a resolution.</param>
public sealed record ProfileWrite(
    string ProfileId,
    long? Writer,
    IReadOnlyList<Touchpoint> Appended,
    StandingStep? Standing,
    IReadOnlyList<ProfileChange> Changes,
    JourneyChange Journey)
{
    /// <summary>A standing report with its changes, and nothing else.</summary>
    public static ProfileWrite Report(string profileId, StandingStep step, IReadOnlyList<ProfileChange> changes) =>
        new(profileId, null, [], step, changes, JourneyChange.None);
}

/// <summary>What a write does to the journey besides appending.</summary>
public abstract record JourneyChange
{
    public static readonly JourneyChange None = new Unchanged();

    /// <summary>Nothing besides the appends.</summary>
    public sealed record Unchanged : JourneyChange;

    /// <summary>The journey and the idempotency records of its touchpoints go, and the profile is remembered as erased
    /// (by <see cref="ErasureMarker"/>), so no later activation appends to it; the changes naming it leave the feed
    /// (<see cref="ProfileChange.ErasedWithProfiles"/>): at once for readers, from storage within one retention
    /// interval.</summary>
    public sealed record Erased : JourneyChange;

    /// <summary>The journey becomes exactly <paramref name="Touchpoints"/>, its log written anew from position 0; the
    /// ids in <paramref name="Dropped"/> leave it, and their idempotency records go where they still name this profile
    /// (another profile of the component may have stored them first).</summary>
    public sealed record Rewritten(IReadOnlyList<Touchpoint> Touchpoints, IReadOnlyList<string> Dropped) : JourneyChange
    {
        /// <summary>The journey's removed content becomes exactly these entries.</summary>
        public IReadOnlyList<RemovedContent> Removed { get; init; } = [];
    }

    /// <summary>A snapshot of the profile holding the first <paramref name="Before"/> entries of its log is stored: no
    /// activation catches up from before it again, so those entries may leave the log. Positions stay absolute (the
    /// next entry is still at <paramref name="Before"/>), and the log only ever loses entries from its front: a write
    /// naming an earlier position, or one past the log's end, changes nothing. The touchpoints stay in the
    /// journey.</summary>
    public sealed record LogTrimmed(long Before) : JourneyChange;

    /// <summary>Retention: the entries at <paramref name="Leaving"/> leave the journey's reading order; the stored
    /// touchpoints in <paramref name="Kept"/> replace theirs (same id, same place in the log; links only, an operator
    /// entry whole), and are stored in Redis even when a history tier held them; the
    /// journey's removed content gains <paramref name="Removed"/> in place of the entries named in
    /// <paramref name="Replaced"/>. Idempotency records stay, so a re-send is a duplicate. <paramref name="NextAt"/>:
    /// when the oldest entry left in the journey occurred (null: none), which its shard's retention index keeps.</summary>
    public sealed record ContentRemoved(
        IReadOnlyList<JourneyPosition> Leaving,
        IReadOnlyList<Touchpoint> Kept,
        IReadOnlyList<RemovedContent> Removed,
        IReadOnlyList<string> Replaced,
        DateTimeOffset? NextAt) : JourneyChange;
}

/// <summary>How a store applied a <see cref="ProfileWrite"/>.</summary>
public abstract record WriteOutcome
{
    /// <summary>Applied.</summary>
    /// <param name="IsNew">Per appended touchpoint, in order: stored now (true), or stored before (false).</param>
    /// <param name="LogLength">The journey log's length after the write, counting the entries trimmed from its front
    /// (<see cref="JourneyChange.LogTrimmed"/>).</param>
    /// <param name="WriterEpoch">The epoch to append with next (for writes with a <see cref="ProfileWrite.Writer"/>).</param>
    /// <param name="Standing">Whether the standing's step was applied, and if not, what the store holds.</param>
    public sealed record Applied(bool[] IsNew, long LogLength, long WriterEpoch, StandingOutcome Standing) : WriteOutcome;

    /// <summary>Nothing written: a later activation of the profile opened its journey, or the profile was erased.</summary>
    public sealed record Superseded : WriteOutcome;
}

/// <summary>What became of a write's <see cref="StandingStep"/>.</summary>
public abstract record StandingOutcome
{
    public static readonly StandingOutcome NoStep = new None();

    public static readonly StandingOutcome Stepped = new Done();

    public static readonly StandingOutcome NotAllNew = new Skipped();

    /// <summary>The write had no step.</summary>
    public sealed record None : StandingOutcome;

    /// <summary>Applied.</summary>
    public sealed record Done : StandingOutcome;

    /// <summary>Not applied: a step that holds only when every appended touchpoint is new met a duplicate.</summary>
    public sealed record Skipped : StandingOutcome;

    /// <summary>Not applied: the store holds another standing than the step starts from; <paramref name="Stored"/> is
    /// its encoded form (empty for none).</summary>
    public sealed record Stale(string Stored) : StandingOutcome;
}
