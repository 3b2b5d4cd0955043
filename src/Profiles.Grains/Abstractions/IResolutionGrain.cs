namespace Profiles.Grains.Abstractions;

/// <summary>
/// Resolves one component again (docs/ARCHITECTURE.md, "Canonical resolution"): the profiles a refused link, a late
/// touchpoint or an operator's unlink concerns, and every profile a refused link joins them to. It holds them,
/// reads their journeys, works out the canonical partition and installs it: profiles split and merge until they
/// equal it. One grain per resolution, named by <see cref="ResolutionIds"/>; its state survives a crash, and a held
/// profile that wakes up asks it to finish.
/// </summary>
[Alias("IResolutionGrain")]
public interface IResolutionGrain : IGrainWithStringKey
{
    /// <summary>Resolves the component of <paramref name="seedProfileIds"/>, unless an older resolution holds part of
    /// it: then it lets go of everything and gives way to that one (<see cref="ResolutionResult.GaveWayTo"/>).</summary>
    /// <remarks>A large component takes longer than the cluster's 3 s response timeout for a grain call, which is
    /// set for a silent node, not for work that reads and rewrites thousands of touchpoints.</remarks>
    [Alias("Resolve"), ResponseTimeout("00:01:00")]
    Task<ResolutionResult> Resolve(string[] seedProfileIds);

    /// <summary>Waits until this resolution has ended (finishing one a crash cut short), then answers which of
    /// <paramref name="touchpointIds"/> it resolved: the partition it installed is canonical for those.</summary>
    [Alias("Covering"), ResponseTimeout("00:01:00")]
    Task<ResolutionCoverage> Covering(string[] touchpointIds);

    /// <summary>Finishes a resolution a crash cut short; does nothing when there is none.</summary>
    [Alias("Resume"), OneWay]
    Task Resume();
}

/// <param name="ProfileIds">Every profile id the resolution held or made.</param>
/// <param name="GaveWayTo">The older resolution that held part of the component; null when this one resolved it.</param>
[GenerateSerializer, Immutable, Alias("ResolutionResult")]
public sealed record ResolutionResult([property: Id(1)] string[] ProfileIds, [property: Id(2)] string? GaveWayTo = null)
{
    public static ResolutionResult GaveWay(string olderResolutionId) => new([], olderResolutionId);
}

/// <param name="TouchpointIds">Those of the touchpoints asked about that the resolution read and resolved.</param>
/// <param name="ProfileIds">Every profile id it held or made; none when it resolved nothing.</param>
[GenerateSerializer, Immutable, Alias("ResolutionCoverage")]
public sealed record ResolutionCoverage([property: Id(0)] string[] TouchpointIds, [property: Id(1)] string[] ProfileIds);

/// <summary>
/// Names resolutions so that names order by age. When two resolutions meet on one component, the younger gives way
/// and the older waits for it to end, so waits only ever run from older to younger and cannot form a cycle; a
/// resolution started again for the same work keeps its rank, so it cannot be made to give way for ever.
/// </summary>
public static class ResolutionIds
{
    private const int RankLength = 16;

    public static string New(TimeProvider time) => $"{time.GetUtcNow().UtcTicks:x16}-{Guid.NewGuid():n}";

    /// <summary>A new resolution with the rank of <paramref name="resolutionId"/>.</summary>
    public static string Again(string resolutionId) => $"{resolutionId[..RankLength]}-{Guid.NewGuid():n}";

    public static bool IsOlder(string resolutionId, string than) => string.CompareOrdinal(resolutionId, than) < 0;
}
