using Profiles.Core.Profiles;
using Profiles.Core.Touchpoints;
using Profiles.Grains.Storage;

namespace Profiles.Grains.Journey;

/// <summary>
/// The durable log of touchpoints, per profile, as read. It is also the idempotency record: a touchpoint id is stored
/// once per shard, and a profile checks the shards of the profiles merged into it before appending (see
/// <see cref="StoredInAsync"/>), so a retry after a merge is still a duplicate. Writes go through
/// <see cref="Writes.ProfileWriter"/>: each append also writes the touchpoints' changes to the feed, in the same atomic
/// write. A profile's content can be rebuilt from its journey (<see cref="ReadWholeAsync"/>), so the profile grain's
/// state is a snapshot that catches up from its log (<see cref="OpenAsync"/>); the log's entries a stored snapshot
/// holds may leave it.
/// </summary>
public interface IJourneyStore
{
    /// <summary>Which of the touchpoint ids the given shards have stored: a profile asks the shards of the profiles
    /// merged into it before an append, which checks only its own shard.</summary>
    Task<IReadOnlySet<string>> StoredInAsync(IReadOnlyCollection<int> shards, IReadOnlyList<string> touchpointIds);

    /// <summary>Which of the touchpoints a history tier took from the journey of the profile or of one merged into it
    /// (an append no longer finds their ids in Redis): asked after <see cref="StoredInAsync"/>, before the append.
    /// Without a history tier, none.</summary>
    Task<IReadOnlySet<string>> StoredColdAsync(string profileId, IReadOnlyCollection<string> mergedProfileIds, IReadOnlyList<Touchpoint> touchpoints);

    /// <summary>What a profile activating needs: the entries of its log from position <paramref name="from"/>
    /// (0-based, in append order), whether it was erased, and a writer epoch greater than any earlier activation's.
    /// Positions are absolute: the entries before a stored snapshot's
    /// <see cref="Identity.ProfileState.AppliedLogLength"/> may have left the log
    /// (<see cref="Writes.JourneyChange.LogTrimmed"/>), and asking for one of those fails. The store refuses an append
    /// that carries an older epoch than the journey's: an activation left behind on a node cut off from the cluster,
    /// whose grains another node took over, cannot add to the journey behind its successor's back, not even by a write
    /// that reaches Redis only once the network heals.</summary>
    Task<OpenedJourney> OpenAsync(string profileId, long from);

    /// <summary>The entries of the profile's log from position <paramref name="from"/> (0-based, in append order,
    /// absolute as for <see cref="OpenAsync"/>), and whether it was erased, read without opening the journey.</summary>
    Task<JourneyResume> ResumeAsync(string profileId, long from);

    /// <summary>Every touchpoint the journey holds, operator entries and entries whose content retention removed
    /// included, each once and in no particular order, whatever its log still names: what a resolution reads.</summary>
    Task<IReadOnlyList<Touchpoint>> ReadWholeAsync(string profileId);

    /// <summary>The journey's writer epoch as stored (0 while the journey does not exist): greater than an
    /// activation's own once another activation opened the journey since (<see cref="OpenAsync"/>).</summary>
    Task<long> WriterEpochAsync(string profileId);

    /// <summary>The newest <paramref name="limit"/> touchpoints of all the given journeys together, strictly
    /// after <paramref name="after"/> in journey order (newest first, ties by id, descending).</summary>
    Task<IReadOnlyList<Touchpoint>> ReadPageAsync(IReadOnlyList<string> profileIds, JourneyPosition? after, int limit);

    /// <summary>Retention: up to <paramref name="limit"/> entries of the profile's journey that occurred before
    /// <paramref name="before"/> and are still in it (their content, and operator entries), oldest first, and when the
    /// entry after them occurred. Retention takes them out of the journey by a write
    /// (<see cref="Writes.JourneyChange.ContentRemoved"/>).</summary>
    Task<ExpiredEntries> ExpiredAsync(string profileId, DateTimeOffset before, int limit);

    /// <summary>Retention: what the journey keeps of the figures of touchpoints whose content retention removed.</summary>
    Task<IReadOnlyList<RemovedContent>> RemovedContentAsync(string profileId);

    /// <summary>Retention: up to <paramref name="limit"/> profiles of the shard whose journey holds an entry that
    /// occurred before <paramref name="before"/>.</summary>
    Task<IReadOnlyList<string>> HoldingEntriesBeforeAsync(int shard, DateTimeOffset before, int limit);

    /// <summary>Which shards of the store answer within <paramref name="timeout"/> (readiness, and whether this node
    /// alone is cut off from them). Never throws: a shard that fails to answer is in the reach's unanswered ones.</summary>
    Task<StorageReach> ReachAsync(TimeSpan timeout);
}

/// <param name="Entries">Oldest first.</param>
/// <param name="NextAt">When the journey's next entry occurred; null when none is left after them.</param>
public sealed record ExpiredEntries(IReadOnlyList<Touchpoint> Entries, DateTimeOffset? NextAt);

public sealed record JourneyResume(IReadOnlyList<Touchpoint> Missed, bool Erased);

/// <param name="Missed">The log's entries from the position asked for.</param>
/// <param name="Erased">Whether the profile was erased.</param>
/// <param name="WriterEpoch">The epoch this activation appends with; 0 when the journey did not exist yet.</param>
public sealed record OpenedJourney(IReadOnlyList<Touchpoint> Missed, bool Erased, long WriterEpoch);

/// <param name="IsNew">Per touchpoint, in order: stored now (true) or already stored before (false).</param>
/// <param name="LogLength">The profile's log length after the append.</param>
/// <param name="StandingRecorded">True when the standing passed in was recorded with the append.</param>
/// <param name="WriterEpoch">The epoch to append with next: the one passed in, or 1 once the journey exists.</param>
public sealed record AppendResult(bool[] IsNew, long LogLength, bool StandingRecorded, long WriterEpoch);

/// <summary>An append carried an older writer epoch than the journey's: another activation of the profile opened
/// it since, or erased the profile, and this one must go (see <see cref="IJourneyStore.OpenAsync"/>).</summary>
public sealed class JourneyWriterSupersededException(string profileId)
    : Exception($"Another activation of profile {profileId} opened or erased its journey since this one opened it.");
