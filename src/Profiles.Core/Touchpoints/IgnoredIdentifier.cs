namespace Profiles.Core.Touchpoints;

/// <summary>
/// An identifier of a touchpoint that was left out (docs/API.md, "Touchpoints in"): its value is invalid for its type, or a
/// blocked placeholder. The touchpoint lands with its other identifiers, and its result lists this one, so a
/// mistyped phone number never costs a purchase. A consent decision that cannot be read is left out and listed the
/// same way (<c>consent[0].purpose</c>, reason <c>invalid</c>): a bad decision never costs the touchpoint either.
/// </summary>
/// <param name="Field">Where the value was in the request: <c>identifiers[1].value</c>, <c>identifiers[1].sha256</c>,
/// <c>consent[0].status</c>.</param>
/// <param name="Reason"><see cref="InvalidReason"/> or <see cref="BlockedReason"/>.</param>
/// <param name="Detail">Why, for the person reading the result: "is not a valid phone number".</param>
public sealed record IgnoredIdentifier(string Field, string Reason, string Detail)
{
    public const string InvalidReason = "invalid";
    public const string BlockedReason = "blocked";

    public static IgnoredIdentifier Invalid(string field, string detail) => new(field, InvalidReason, detail);

    public static IgnoredIdentifier Blocked(string field) => new(field, BlockedReason, "is a blocked placeholder value");
}
