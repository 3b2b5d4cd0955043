namespace Profiles.Grains.Abstractions;

/// <summary>
/// Resolves one component again (docs/ARCHITECTURE.md, "Canonical resolution"): the profiles a refused link, a late
/// touchpoint or an operator's unlink concerns, and every profile a refused link joins them to. It holds them,
/// reads their journeys, works out the canonical partition and installs it: profiles split and merge until they
/// equal it. One grain per resolution; its state survives a crash, and a held profile that wakes up asks it to
/// finish.
/// </summary>
[Alias("IResolutionGrain")]
public interface IResolutionGrain : IGrainWithStringKey
{
    /// <summary>Resolves the component of <paramref name="seedProfileIds"/>.</summary>
    /// <remarks>A large component takes longer than the cluster's 3 s response timeout for a grain call, which is
    /// set for a silent node, not for work that reads and rewrites thousands of touchpoints.</remarks>
    [Alias("Resolve"), ResponseTimeout("00:01:00")]
    Task<ResolutionResult> Resolve(string[] seedProfileIds);

    /// <summary>Finishes a resolution a crash cut short; does nothing when there is none.</summary>
    [Alias("Resume"), OneWay]
    Task Resume();
}

/// <param name="Resolved">False when another resolution holds part of the component: nothing changed, try again.</param>
/// <param name="ProfileIds">Every profile id the resolution held or made.</param>
[GenerateSerializer, Immutable, Alias("ResolutionResult")]
public sealed record ResolutionResult([property: Id(0)] bool Resolved, [property: Id(1)] string[] ProfileIds);
