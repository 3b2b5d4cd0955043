using System.Text.Json;

namespace Profiles.Contracts;

// Orleans knows these records by their aliases, not their .NET names: the aliases keep Profiles.Client, the namespace the
// records were first published in, so clients and nodes built before and after the move understand each other.

/// <summary>
/// One unified customer, as every profile answer gives it (docs/API.md, "A profile"). The HTTP API serialises
/// this very record, so the .NET client and the JSON cannot drift apart.
/// </summary>
/// <param name="Traits">Plain traits, last write wins; each value a JSON scalar.</param>
/// <param name="Computed">Computed traits by name; empty until the cluster computes them.</param>
/// <param name="Audiences">The audiences the profile is a member of, sorted; empty until the cluster computes them.</param>
/// <param name="Consent">Every configured consent purpose by name, with its effective status (docs/CONSENT.md). The
/// storefront's reads leave <paramref name="Computed"/> and <paramref name="Audiences"/> empty while
/// <c>personalisation</c> is not granted.</param>
/// <param name="MergedProfileIds">Profiles merged into this one: each of these ids answers with this profile.</param>
[GenerateSerializer, Immutable, Alias("Profiles.Client.Profile")]
public sealed record Profile(
    [property: Id(0)] string ProfileId,
    [property: Id(1)] IReadOnlyList<ProfileIdentifier> Identifiers,
    [property: Id(2)] IReadOnlyDictionary<string, JsonElement> Traits,
    [property: Id(3)] IReadOnlyDictionary<string, ChannelActivity> Channels,
    [property: Id(4)] long Touchpoints,
    [property: Id(5)] DateTimeOffset? FirstSeen,
    [property: Id(6)] DateTimeOffset? LastSeen,
    [property: Id(7)] IReadOnlyList<string> MergedProfileIds,
    [property: Id(8)] IReadOnlyList<ProfileRefusedLink> RefusedLinks,
    [property: Id(9)] IReadOnlyDictionary<string, JsonElement> Computed,
    [property: Id(10)] IReadOnlyList<string> Audiences,
    [property: Id(12)] IReadOnlyDictionary<string, PurposeStatus> Consent,
    [property: Id(11)] long Version);

/// <summary>One consent purpose of a profile: <paramref name="Status"/> (<c>granted</c> or <c>denied</c>) for every
/// channel, and each channel that has decisions of its own with its status.</summary>
[GenerateSerializer, Immutable, Alias("Profiles.PurposeStatus")]
public sealed record PurposeStatus(
    [property: Id(0)] string Status,
    [property: Id(1)] IReadOnlyDictionary<string, string> Channels);

/// <summary>An identifier of a profile: never its value, only its stored key and a masked hint for staff screens.</summary>
[GenerateSerializer, Immutable, Alias("Profiles.Client.ProfileIdentifier")]
public sealed record ProfileIdentifier(
    [property: Id(0)] string Type,
    [property: Id(1)] string Key,
    [property: Id(2)] string Hint,
    [property: Id(3)] DateTimeOffset FirstSeen,
    [property: Id(4)] DateTimeOffset LastSeen);

[GenerateSerializer, Immutable, Alias("Profiles.Client.ChannelActivity")]
public sealed record ChannelActivity(
    [property: Id(0)] long Touchpoints,
    [property: Id(1)] DateTimeOffset FirstSeen,
    [property: Id(2)] DateTimeOffset LastSeen);

/// <summary>A link identity rules did not make (<c>reason</c> <c>limit</c>), with the touchpoint that carried it.</summary>
[GenerateSerializer, Immutable, Alias("Profiles.Client.ProfileRefusedLink")]
public sealed record ProfileRefusedLink(
    [property: Id(0)] string Type,
    [property: Id(1)] string Hint,
    [property: Id(2)] string Reason,
    [property: Id(3)] string TouchpointId,
    [property: Id(4)] DateTimeOffset At);
