namespace Profiles.Contracts;

// Orleans knows these records by their aliases, not their .NET names: the aliases keep Profiles.Client, the namespace the
// records were first published in, so clients and nodes built before and after the move understand each other.

/// <summary>One touchpoint, as <c>POST /v1/touchpoints</c> takes it (docs/API.md, "Touchpoints in"): the client sends
/// it in that very shape, so it is validated by the same code and answered in the same words.</summary>
/// <param name="Id">The idempotency key; null derives one from the content.</param>
/// <param name="OccurredAt">Null: the time the cluster receives it.</param>
/// <param name="Traits">Scalars (string, number, boolean) or null, which removes the trait.</param>
/// <param name="Properties">Anything System.Text.Json serialises to an object; kept with the touchpoint.</param>
/// <param name="Consent">What the customer allowed or refused with this touchpoint (docs/CONSENT.md).</param>
public sealed record TouchpointInput(
    string? Id,
    DateTimeOffset? OccurredAt,
    string Channel,
    string Type,
    IReadOnlyList<IdentifierInput> Identifiers,
    IReadOnlyDictionary<string, object?>? Traits = null,
    IReadOnlyDictionary<string, object?>? Properties = null,
    IReadOnlyList<ConsentInput>? Consent = null);

/// <summary>A consent decision: a configured <paramref name="Purpose"/> (<c>marketing</c>...), <paramref name="Status"/>
/// <c>granted</c> or <c>denied</c> (a withdrawal), for <paramref name="Channel"/> or, when null, every channel of the
/// purpose; the policy or form version the customer saw, and when a grant stops holding. A decision the node cannot
/// read is left out and listed under the result's <c>ignored</c>; the touchpoint lands all the same.</summary>
public sealed record ConsentInput(
    string Purpose,
    string Status,
    string? Channel = null,
    string? Document = null,
    DateTimeOffset? ExpiresAt = null);

/// <summary>An identifier in clear (<paramref name="Value"/>) or as the hex SHA-256 of its normalised value.</summary>
[GenerateSerializer, Immutable, Alias("Profiles.Client.IdentifierInput")]
public sealed record IdentifierInput(
    [property: Id(0)] string Type,
    [property: Id(1)] string? Value = null,
    [property: Id(2)] string? Sha256 = null);
