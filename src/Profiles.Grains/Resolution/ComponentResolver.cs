using Profiles.Grains.Abstractions;

namespace Profiles.Grains.Resolution;

/// <summary>Has a component resolved again, waiting out another resolution that holds part of it.</summary>
public sealed class ComponentResolver(IGrainFactory grains, TimeProvider time)
{
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(15);

    /// <summary>Resolves the component of <paramref name="seedProfileIds"/>; answers every profile id it held or made.</summary>
    /// <exception cref="TimeoutException">Other resolutions kept holding the component (answered 503: retry).</exception>
    public async Task<ResolutionResult> ResolveAsync(IEnumerable<string> seedProfileIds)
    {
        string[] seeds = [.. seedProfileIds.Distinct(StringComparer.Ordinal)];
        var started = time.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            // A new resolution each time: one that found its component busy let everything go and keeps nothing.
            var result = await grains.ByKey<IResolutionGrain>(Guid.NewGuid().ToString("n")).Resolve(seeds);
            if (result.Resolved) return result;
            if (time.GetElapsedTime(started) > GiveUpAfter) throw new TimeoutException("Other resolutions kept holding this component.");
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(20 * attempt, 200) + Random.Shared.Next(20)));
        }
    }
}
