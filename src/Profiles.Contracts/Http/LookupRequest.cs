namespace Profiles.Contracts.Http;

/// <summary>The body of <c>POST /v1/profiles/lookup</c> (docs/API.md): the identifier by <see cref="Type"/> and either
/// <see cref="Value"/> or <see cref="Sha256"/>, and the <see cref="ProfilePart"/>s to answer with, comma-separated,
/// as the GET form's parameters, but out of the address, and so out of every access log on the way.</summary>
public sealed record LookupRequest(string Type, string? Value = null, string? Sha256 = null, string? Fields = null)
{
    public static LookupRequest Of(IdentifierInput identifier, IEnumerable<string>? fields = null) =>
        new(identifier.Type, identifier.Value, identifier.Sha256, fields is null ? null : string.Join(',', fields));
}
