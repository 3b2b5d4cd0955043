namespace Profiles.Grains.Abstractions;

/// <summary>
/// One identifier, keyed by its stored key (the HMAC of the contract). It points to the profile it was last
/// known to belong to; that profile may since have been merged into a smaller one, which the caller follows.
/// Identifier grains never call other grains, so they can never take part in a call cycle.
/// </summary>
[Alias("IIdentifierGrain")]
public interface IIdentifierGrain : IGrainWithStringKey, IWatchable
{
    /// <summary>The identifier's profile; on first sight it takes <paramref name="proposedProfileId"/> (the
    /// profile the touchpoint is about to land on). Being single-threaded, the grain gives concurrent first
    /// touches one answer.</summary>
    [Alias("GetOrAssignProfile")]
    Task<string> GetOrAssignProfile(string proposedProfileId);

    /// <summary>The identifier's profile, or null when it was never seen.</summary>
    [Alias("GetProfile")]
    Task<string?> GetProfile();

    /// <summary>Gives back an identifier assigned to one of <paramref name="profileIds"/> (one surviving profile
    /// and profiles merged into it) whose touchpoint that profile then refused: limits only ever tighten, so it
    /// will never hold it, and the identifier is unknown again.</summary>
    [Alias("Release")]
    Task Release(string[] profileIds);

    /// <summary>Forgets the identifier's profile if it is one of <paramref name="erasedProfileIds"/>.</summary>
    [Alias("Erase")]
    Task Erase(string[] erasedProfileIds);

    /// <summary>Path compression: points the identifier at a profile its current one was merged into. Only
    /// moves to a smaller id, since merges only ever move a profile to a smaller id.</summary>
    [Alias("PointTo"), OneWay]
    Task PointTo(string profileId);
}
