using System.Text.Json.Serialization;

namespace Profiles.Contracts;

// Orleans knows these records by their aliases, not their .NET names: the aliases keep Profiles.Client, the namespace the
// records were first published in, so clients and nodes built before and after the move understand each other.

/// <summary>
/// What became of one touchpoint, in the order sent: <c>accepted</c>, <c>duplicate</c> or <c>rejected</c> (with
/// <see cref="Error"/>). The HTTP API answers the same record as JSON; null parts are left out there.
/// </summary>
[GenerateSerializer, Immutable, Alias("Profiles.Client.TouchpointResult")]
public sealed record TouchpointResult(
    [property: Id(0), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Id,
    [property: Id(1)] string Status,
    [property: Id(2), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ProfileId,
    [property: Id(3), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error)
{
    public const string Accepted = "accepted";
    public const string Duplicate = "duplicate";
    public const string Rejected = "rejected";

    /// <summary>Identifiers left out because their value is invalid for their type or blocked; null when none.</summary>
    [Id(4), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<IgnoredIdentifier>? Ignored { get; init; }

    /// <summary>Links an identity-rule limit refused; null when none.</summary>
    [Id(5), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<RefusedLinkResult>? RefusedLinks { get; init; }
}

/// <param name="Field"><c>identifiers[N].value</c> or <c>identifiers[N].sha256</c>.</param>
/// <param name="Reason"><c>invalid</c> or <c>blocked</c>.</param>
/// <param name="Detail">Why, never repeating the value: "is not a valid phone number".</param>
[GenerateSerializer, Immutable, Alias("Profiles.Client.IgnoredIdentifier")]
public sealed record IgnoredIdentifier([property: Id(0)] string Field, [property: Id(1)] string Reason, [property: Id(2)] string Detail);

[GenerateSerializer, Immutable, Alias("Profiles.Client.RefusedLinkResult")]
public sealed record RefusedLinkResult([property: Id(0)] string Type, [property: Id(1)] string Hint, [property: Id(2)] string Reason);
