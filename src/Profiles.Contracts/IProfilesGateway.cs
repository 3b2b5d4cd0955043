using Profiles.Contracts.Live;

namespace Profiles.Contracts;

/// <summary>
/// The grain the .NET client calls, through whichever gateway it is connected to: a stateless worker, so every node
/// runs it locally, next to the node's identifier cache, with no further hop to reach it. It answers what the HTTP
/// API answers, with the same code behind it.
/// </summary>
[Alias("Profiles.IProfilesGateway")]
public interface IProfilesGateway : IGrainWithIntegerKey
{
    /// <param name="touchpoints">The UTF-8 JSON array <c>POST /v1/touchpoints</c> takes.</param>
    /// <exception cref="ArgumentException">More touchpoints than a request may carry, as the HTTP API's 400 says.</exception>
    [Alias("Ingest")]
    Task<TouchpointResult[]> Ingest(Immutable<byte[]> touchpoints);

    /// <summary>The profile holding the identifier, as the storefront reads it: no computed trait and no audience while
    /// the customer does not allow personalisation.</summary>
    /// <exception cref="ArgumentException">The identifier cannot be read, in the words of the HTTP API's 400.</exception>
    [Alias("Lookup")]
    Task<Profile?> Lookup(IdentifierInput identifier);

    /// <summary>The profile, or the one it was merged into; null when unknown or erased.</summary>
    [Alias("Get")]
    Task<Profile?> Get(string profileId);

    /// <summary>The identifier's stored key: what its live stream is named by.</summary>
    /// <exception cref="ArgumentException">As for <see cref="Lookup"/>.</exception>
    [Alias("KeyOf")]
    Task<string> KeyOf(IdentifierInput identifier);

    /// <summary>Where the identifier leads now, following merges; the profile as the storefront reads it.</summary>
    [Alias("Follow")]
    Task<FollowedIdentifier> Follow(string identifierKey);

    /// <summary>Asks the identifier or profile grain to signal its changes on its live stream to the subscription
    /// <paramref name="subscriptionId"/>, for a few minutes: a watcher renews it, or it lapses and the grain removes
    /// the subscription.</summary>
    [Alias("Watch")]
    Task Watch(LiveTarget target, Guid subscriptionId);

    [Alias("Unwatch")]
    Task Unwatch(LiveTarget target, Guid subscriptionId);
}

/// <param name="ProfileId">The surviving profile the identifier points to, whether or not its first touchpoint has
/// landed there yet; null while the identifier is unknown.</param>
/// <param name="Profile">That profile once it holds the identifier, else null.</param>
[GenerateSerializer, Immutable, Alias("Profiles.FollowedIdentifier")]
public sealed record FollowedIdentifier([property: Id(0)] string? ProfileId, [property: Id(1)] Profile? Profile);
