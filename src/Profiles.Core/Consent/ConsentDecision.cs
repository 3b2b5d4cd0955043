using Orleans;

namespace Profiles.Core.Consent;

/// <summary>
/// What a customer allowed or refused, as a touchpoint carries it (docs/CONSENT.md): a configured purpose, for one
/// channel or for every channel of it, granted or denied, with the policy version they saw and, for a grant, when it
/// stops holding.
/// </summary>
/// <param name="Purpose">A configured purpose (<see cref="ConsentPurposes"/>).</param>
/// <param name="Channel">The channel the decision is for (<c>email</c>, <c>sms</c>...); null for every channel of the purpose.</param>
/// <param name="Granted">True for a grant, false for a denial (a withdrawal).</param>
/// <param name="Document">The policy or form version the customer saw, at most <see cref="MaxDocumentLength"/> characters.</param>
/// <param name="ExpiresAt">When a grant stops holding; null for never.</param>
[GenerateSerializer, Immutable, Alias("ConsentDecision")]
public sealed record ConsentDecision(string Purpose, string? Channel, bool Granted, string? Document, DateTimeOffset? ExpiresAt)
{
    public const int MaxDocumentLength = 128;

    /// <summary>The status as clients write and read it.</summary>
    public string Status => ConsentStatus.Of(Granted);
}

/// <summary>A consent status as clients write and read it.</summary>
public static class ConsentStatus
{
    public const string Granted = "granted";
    public const string Denied = "denied";

    public static string Of(bool granted) => granted ? Granted : Denied;
}
