namespace Profiles.Silo.Operations;

/// <summary>
/// Endpoint metadata: the call takes an analytics library's write key the libraries' ways, as Basic credentials or
/// as the body's <c>writeKey</c> (<see cref="ApiKeyAuthenticationHandler"/>). Its body is read before authentication,
/// since analytics.js sends the key nowhere else.
/// </summary>
public sealed class AcceptsWriteKey
{
    public static readonly AcceptsWriteKey Instance = new();

    private AcceptsWriteKey()
    {
    }
}

/// <summary>The write key a request's body carries, once the body is read; null when it carries none.</summary>
public interface IBodyWriteKeyFeature
{
    string? WriteKey { get; }
}
