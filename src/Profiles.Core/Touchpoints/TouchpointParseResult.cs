using System.Diagnostics.CodeAnalysis;

namespace Profiles.Core.Touchpoints;

/// <summary>
/// The outcome of reading one touchpoint of a batch. A rejection is a value, not an exception, because one bad
/// item must never block the others and rejections are routine (a mistyped phone number), not exceptional.
/// </summary>
/// <param name="Id">The client's id when it sent one as a string (even when rejected, so the client can match
/// the result to its item); otherwise the derived id when accepted, null when rejected.</param>
/// <param name="Error">"&lt;field path&gt;: &lt;why&gt;" when rejected.</param>
/// <param name="Ignored">The identifiers left out of an accepted touchpoint, because their value is invalid for
/// their type or blocked, in the order sent; then the consent decisions left out.</param>
public sealed record TouchpointParseResult(Touchpoint? Touchpoint, string? Id, string? Error, IReadOnlyList<IgnoredIdentifier> Ignored)
{
    [MemberNotNullWhen(true, nameof(Touchpoint))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsOk => Touchpoint is not null;

    public static TouchpointParseResult Ok(Touchpoint touchpoint, IReadOnlyList<IgnoredIdentifier>? ignored = null)
    {
        ArgumentNullException.ThrowIfNull(touchpoint);
        return new(touchpoint, touchpoint.Id, null, ignored ?? []);
    }

    public static TouchpointParseResult Rejected(string? id, string error)
    {
        ArgumentException.ThrowIfNullOrEmpty(error);
        return new(null, id, error, []);
    }
}
