using Profiles.Contracts;

namespace Profiles.Client;

/// <summary>
/// Profiles for .NET storefront servers, through the cluster's gateways with no HTTP hop: the same validation,
/// identity rules and answers as the HTTP API (docs/API.md). Registered by <see cref="ProfilesClientExtensions.AddProfilesClient"/>.
/// </summary>
public interface IProfilesClient
{
    /// <summary>Sends touchpoints; one result per touchpoint, in order. A rejected one never blocks the others.</summary>
    /// <exception cref="ArgumentException">More than <see cref="TouchpointBatch.MaxSize"/> touchpoints in one call.</exception>
    Task<IReadOnlyList<TouchpointResult>> IngestAsync(IReadOnlyList<TouchpointInput> touchpoints, CancellationToken cancellationToken = default);

    /// <summary>The profile holding the identifier (any spelling of its value); null when it is unknown. A storefront's
    /// read: while the customer has not granted <c>personalisation</c>, <see cref="Profile.Computed"/> and
    /// <see cref="Profile.Audiences"/> are empty, and <see cref="Profile.Consent"/> says so.</summary>
    /// <exception cref="ArgumentException">The value cannot be read for its type, in the HTTP API's words.</exception>
    Task<Profile?> LookupAsync(string type, string value, CancellationToken cancellationToken = default);

    /// <summary>The profile, or the one it was merged into; null when unknown or erased. Everything, whatever the
    /// customer's consent, as a staff screen reads it.</summary>
    Task<Profile?> GetAsync(string profileId, CancellationToken cancellationToken = default);

    /// <summary>
    /// The identifier's profile now (null while it is unknown), then again after each change: new touchpoints, the
    /// merge of its profile into another (the watch follows it), erasure (null). A burst of changes comes as the latest
    /// state. Rides Orleans streams, survives the loss of the gateway it talks to, and leaves no subscription behind once
    /// the enumeration ends or <paramref name="cancellationToken"/> is cancelled. A storefront's read, as
    /// <see cref="LookupAsync"/>.
    /// </summary>
    IAsyncEnumerable<Profile?> WatchAsync(string type, string value, CancellationToken cancellationToken = default);
}
