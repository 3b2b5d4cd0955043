using Profiles.Grains.Abstractions;
using Profiles.Grains.Calls;

namespace Profiles.Grains.Resolution;

/// <summary>
/// Has a component resolved again for some touchpoints. When its resolution gives way to an older one that holds
/// part of the component, it waits for that one to end: if that one read the touchpoints, the partition it
/// installed is canonical for them and nothing is left to do (many writers on one component share one resolution);
/// otherwise it starts again with its rank kept.
/// </summary>
public sealed class ComponentResolver(IGrainFactory grains, TimeProvider time)
{
    /// <summary>Resolves the component of <paramref name="seedProfileIds"/>, whose journeys hold
    /// <paramref name="touchpointIds"/>; answers every profile id that was held or made.</summary>
    /// <param name="budget">The budget of the operation that asks (<see cref="ProfileCalls"/>).</param>
    /// <exception cref="CallBudgetSpentException">Other resolutions kept holding the component (answered 503: retry).</exception>
    public async Task<ResolutionResult> ResolveAsync(IEnumerable<string> seedProfileIds, IEnumerable<string> touchpointIds, CallBudget budget)
    {
        string[] seeds = [.. seedProfileIds.Distinct(StringComparer.Ordinal)];
        string[] touchpoints = [.. touchpointIds.Distinct(StringComparer.Ordinal)];
        var resolutionId = ResolutionIds.New(time);
        while (true)
        {
            var result = await grains.ByKey<IResolutionGrain>(resolutionId).Resolve(seeds);
            if (result.GaveWayTo is not { } older) return result;
            var coverage = await grains.ByKey<IResolutionGrain>(older).Covering(touchpoints);
            if (coverage.TouchpointIds.Length == touchpoints.Length) return new ResolutionResult(coverage.ProfileIds);
            budget.ThrowIfSpent("Other resolutions kept holding this component");
            // A resolution that gave way keeps nothing: the same work starts again under a new name of the same rank.
            resolutionId = ResolutionIds.Again(resolutionId);
        }
    }
}
