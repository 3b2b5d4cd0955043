using Profiles.Core.Touchpoints;

namespace Profiles.Grains.Journey;

/// <summary>
/// The durable log of touchpoints, per profile. It is also the idempotency record: a touchpoint id is stored
/// once across all profiles, so a retry after a merge is still a duplicate. A profile's content can be rebuilt
/// from its log, so the profile grain's state is a snapshot that catches up from <see cref="ResumeAsync"/>.
/// </summary>
public interface IJourneyStore
{
    /// <summary>Appends every touchpoint whose id was never stored to the profile's journey. Only the profile's
    /// own grain appends to its log, one call at a time.</summary>
    Task<AppendResult> AppendAsync(string profileId, IReadOnlyList<Touchpoint> touchpoints);

    /// <summary>What a profile activating needs: the entries of its log from position <paramref name="from"/>
    /// (0-based, in append order), and whether it was erased.</summary>
    Task<JourneyResume> ResumeAsync(string profileId, long from);

    /// <summary>Deletes the profile's journey and the idempotency records of its touchpoints, and remembers
    /// (by a hash of its id, never the id) that the profile was erased.</summary>
    Task EraseAsync(string profileId);

    /// <summary>The newest <paramref name="limit"/> touchpoints of all the given journeys together, strictly
    /// after <paramref name="after"/> in journey order (newest first, ties by id, descending).</summary>
    Task<IReadOnlyList<Touchpoint>> ReadPageAsync(IReadOnlyList<string> profileIds, JourneyPosition? after, int limit);

    /// <summary>Throws when the store cannot be reached (readiness).</summary>
    Task PingAsync();
}

public sealed record JourneyResume(IReadOnlyList<Touchpoint> Missed, bool Erased);

/// <param name="IsNew">Per touchpoint, in order: stored now (true) or already stored before (false).</param>
/// <param name="LogLength">The profile's log length after the append.</param>
public sealed record AppendResult(bool[] IsNew, long LogLength);
