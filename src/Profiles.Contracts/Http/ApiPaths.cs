using System.Globalization;

namespace Profiles.Contracts.Http;

/// <summary>Where the HTTP API's calls go, relative to a node's address (docs/API.md): what
/// <see cref="ProfilesHttpClient"/> requests, and what a caller that reads an answer raw requests too (the live stream,
/// a load generator that counts statuses).</summary>
public static class ApiPaths
{
    public const string Touchpoints = "v1/touchpoints";

    /// <summary>Where a <see cref="LookupRequest"/> is posted.</summary>
    public const string LookupByBody = "v1/profiles/lookup";

    /// <summary>The lookup that names the identifier in its address; <see cref="LookupByBody"/> keeps it out.</summary>
    public static string Lookup(IdentifierInput identifier, IEnumerable<string>? fields = null) =>
        $"{LookupByBody}?{IdentifierQuery(identifier)}{Fields('&', fields)}";

    public static string Live(IdentifierInput identifier) => $"v1/profiles/live?{IdentifierQuery(identifier)}";

    public static string Live(string profileId) => $"{ProfileRoot(profileId)}/live";

    public static string Profile(string profileId, IEnumerable<string>? fields = null) => $"{ProfileRoot(profileId)}{Fields('?', fields)}";

    public static string Journey(string profileId, int? limit = null, string? cursor = null) =>
        $"{ProfileRoot(profileId)}/journey" + Query(("limit", limit?.ToString(CultureInfo.InvariantCulture)), ("cursor", cursor));

    public static string Consent(string profileId) => $"{ProfileRoot(profileId)}/consent";

    public static string Unlink(string profileId) => $"{ProfileRoot(profileId)}/unlink";

    public static string Relink(string profileId) => $"{ProfileRoot(profileId)}/relink";

    public static string Changes(string? after = null, int? limit = null) =>
        "v1/changes" + Query(("after", after), ("limit", limit?.ToString(CultureInfo.InvariantCulture)));

    /// <summary>The query parameters that name one identifier: <c>type</c>, and <c>value</c> or <c>sha256</c>, each
    /// given one sent (the node answers 400 unless exactly one of the two is).</summary>
    public static string IdentifierQuery(IdentifierInput identifier) =>
        Parameters(("type", identifier.Type), ("value", identifier.Value), ("sha256", identifier.Sha256));

    private static string ProfileRoot(string profileId) => $"v1/profiles/{Uri.EscapeDataString(profileId)}";

    private static string Fields(char separator, IEnumerable<string>? fields) =>
        fields is null ? "" : $"{separator}fields={Uri.EscapeDataString(string.Join(',', fields))}";

    /// <summary><c>?a=1&amp;b=2</c> of the parameters that have a value; empty when none has.</summary>
    private static string Query(params (string Name, string? Value)[] parameters) =>
        Parameters(parameters) is { Length: > 0 } given ? "?" + given : "";

    private static string Parameters(params (string Name, string? Value)[] parameters) =>
        string.Join('&', parameters.Where(p => p.Value is not null).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}"));
}
