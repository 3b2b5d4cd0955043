using Profiles.Grains.Abstractions;
using Profiles.Grains.Changes;

namespace Profiles.Grains.Identity;

/// <summary>What <see cref="ResolutionHold"/> needs of the profile grain it runs in.</summary>
public interface IResolutionHoldHost
{
    /// <summary>Writes the profile's state now.</summary>
    Task WriteAsync();

    /// <summary>Why the profile cannot be held: erased or merged away (a hand-off cut short completes first); null
    /// when it can.</summary>
    Task<ProfileReply?> UnavailableAsync();

    /// <summary>Asks <paramref name="resolutionId"/> to go on, one-way: a profile never waits on a resolution.</summary>
    void Nudge(string resolutionId);

    /// <summary>A new state was installed: the grain forgets what it derived from the old one.</summary>
    void Installed();

    /// <summary>The hold ended: the grain reports its standing with <paramref name="changes"/> and tells watchers.</summary>
    Task ReleasedAsync(ProfileChange[] changes);
}
