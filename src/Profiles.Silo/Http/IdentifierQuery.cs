using Microsoft.AspNetCore.Http.HttpResults;
using Profiles.Core.Identifiers;
using Profiles.Core.Touchpoints;

namespace Profiles.Silo.Http;

/// <summary>The <c>type</c> and <c>value</c> (or <c>sha256</c>) query parameters that name one identifier, as the
/// lookup and the live stream read them.</summary>
public static class IdentifierQuery
{
    /// <summary>Null when the parameters name an identifier; otherwise the 400 problem that says why not.</summary>
    public static ProblemHttpResult? Read(
        IdentifierReader identifiers, string? type, string? value, string? sha256, out IdentifierRef identifier) =>
        identifiers.ReadNamed(type, value, sha256, out identifier) is { } problem ? Problems.BadRequest(problem) : null;
}
