using Profiles.Grains.Abstractions;

namespace Profiles.Grains.Identity;

/// <summary>What <see cref="MergeProtocol"/> needs of the profile grain it runs in.</summary>
public interface IMergeHost
{
    /// <summary>Writes the profile's state now: merges are in no log.</summary>
    Task WriteAsync();

    /// <summary>One call of <see cref="IProfileMerge.Absorb"/> on <paramref name="survivorId"/>, forwards not followed.</summary>
    Task<ProfileReply> AbsorbAtAsync(string survivorId, Immutable<AbsorbedProfile> loser);

    /// <summary>A loser's content was folded in: the grain writes the state, reports the standing (withdrawing the
    /// loser's) and tells watchers.</summary>
    Task AbsorbedAsync();

    /// <summary>The hand-off ended: <paramref name="merged"/> when this profile now forwards (its standing is
    /// withdrawn), otherwise it stayed a profile of its own. The grain tells watchers either way.</summary>
    Task HandedOffAsync(bool merged);
}
