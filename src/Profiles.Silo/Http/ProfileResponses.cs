using System.Text.Json;
using Profiles.Core.Touchpoints;
using Profiles.Grains.Resolution;

namespace Profiles.Silo.Http;

/// <summary>The JSON shapes of the journey answers (docs/API.md); a profile is <see cref="Profiles.Client.Profile"/>, built by
/// <see cref="ProfileView"/>, and a touchpoint result is <see cref="Profiles.Client.TouchpointResult"/>.</summary>
public sealed record JourneyResponse(string ProfileId, IReadOnlyList<JourneyItemResponse> Items, string? NextCursor)
{
    public static JourneyResponse From(JourneyPage page) =>
        new(page.ProfileId, [.. page.Items.Select(JourneyItemResponse.From)], page.Next?.ToCursor());
}

/// <summary>A touchpoint as the journey keeps it: identifiers only as stored key and masked hint.</summary>
public sealed record JourneyItemResponse(
    string Id,
    DateTimeOffset OccurredAt,
    string Channel,
    string Type,
    IReadOnlyList<JourneyIdentifierResponse> Identifiers,
    IReadOnlyDictionary<string, JsonElement> Traits,
    JsonElement? Properties)
{
    public static JourneyItemResponse From(Touchpoint touchpoint) => new(
        touchpoint.Id,
        touchpoint.OccurredAt,
        touchpoint.Channel,
        touchpoint.Type,
        [.. touchpoint.Identifiers.Select(i => new JourneyIdentifierResponse(i.Type, i.Key, i.Hint))],
        touchpoint.Traits.ToDictionary(t => t.Name, t => JsonElement.Parse(t.ValueJson ?? "null")),
        touchpoint.PropertiesJson is null ? null : JsonElement.Parse(touchpoint.PropertiesJson));
}

public sealed record JourneyIdentifierResponse(string Type, string Key, string Hint);
