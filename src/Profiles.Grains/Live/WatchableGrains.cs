using Profiles.Contracts.Live;
using Profiles.Grains.Abstractions;

namespace Profiles.Grains.Live;

public static class WatchableGrains
{
    /// <summary>The identifier or profile grain a live target names.</summary>
    public static IWatchable Watchable(this IGrainFactory grains, LiveTarget target) => target.Kind == LiveTargetKind.Identifier
        ? grains.ByKey<IIdentifierGrain>(target.Key)
        : grains.ByKey<IProfileGrain>(target.Key);
}
