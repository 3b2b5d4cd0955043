using System.Text.Json;

namespace Profiles.Contracts.Http;

/// <summary>A page of a journey (docs/API.md, <c>GET /v1/profiles/{profileId}/journey</c>): touchpoints on every
/// channel, newest first; <see cref="NextCursor"/> reads the next page, and is null on the last one.</summary>
public sealed record JourneyResponse(string ProfileId, IReadOnlyList<JourneyItemResponse> Items, string? NextCursor);

/// <summary>A touchpoint as the journey keeps it: identifiers only as stored key and masked hint, and
/// <see cref="Properties"/> as sent (null when there were none).</summary>
public sealed record JourneyItemResponse(
    string Id,
    DateTimeOffset OccurredAt,
    string Channel,
    string Type,
    IReadOnlyList<JourneyIdentifierResponse> Identifiers,
    IReadOnlyDictionary<string, JsonElement> Traits,
    JsonElement? Properties);

public sealed record JourneyIdentifierResponse(string Type, string Key, string Hint);
