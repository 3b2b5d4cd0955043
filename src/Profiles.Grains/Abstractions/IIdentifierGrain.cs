namespace Profiles.Grains.Abstractions;

/// <summary>
/// One identifier, keyed by its stored key (the HMAC-SHA256 of docs/API.md, "Touchpoints in"). It points to the profile
/// it was last known to belong to; that profile may since have been merged into another, or forwarded by a
/// resolution, which the caller follows.
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

    /// <summary>Path compression: points the identifier at <paramref name="profileId"/>, the profile its pointer
    /// <paramref name="from"/> led to, if it still points at <paramref name="from"/>; a pointer that moved since
    /// (a resolution moved the identifier) is left alone.</summary>
    [Alias("PointTo"), OneWay]
    Task PointTo(string from, string profileId);

    /// <summary>Points the identifier at the profile a resolution gave it, whatever it pointed at before.</summary>
    [Alias("Reassign")]
    Task Reassign(string profileId);

    /// <summary>Forgets the identifier's profile: a resolution left it in no profile (every link to it refused).</summary>
    [Alias("Forget")]
    Task Forget();
}
