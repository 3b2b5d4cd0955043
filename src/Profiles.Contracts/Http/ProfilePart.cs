namespace Profiles.Contracts.Http;

/// <summary>The top-level parts of a profile, as the <c>fields</c> parameter of a profile read names them
/// (docs/PERSONALISATION.md): a read that lists some answers a <see cref="PartialProfile"/>. <c>profileId</c>,
/// <c>version</c> and <c>consent</c> always come.</summary>
public static class ProfilePart
{
    public const string ProfileId = "profileId";
    public const string Identifiers = "identifiers";
    public const string Traits = "traits";
    public const string Channels = "channels";
    public const string Touchpoints = "touchpoints";
    public const string FirstSeen = "firstSeen";
    public const string LastSeen = "lastSeen";
    public const string MergedProfileIds = "mergedProfileIds";
    public const string RefusedLinks = "refusedLinks";
    public const string Computed = "computed";
    public const string Audiences = "audiences";
    public const string Consent = "consent";
    public const string Version = "version";

    /// <summary>Every part, in the order a profile answer lists them.</summary>
    public static IReadOnlyList<string> All { get; } =
        [ProfileId, Identifiers, Traits, Channels, Touchpoints, FirstSeen, LastSeen, MergedProfileIds, RefusedLinks, Computed, Audiences, Consent, Version];
}
