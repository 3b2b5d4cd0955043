using System.Text.Json;
using System.Text.Json.Serialization;
using Profiles.Core.Personalisation;
using Profiles.Core.Touchpoints;
using Profiles.Grains.Abstractions;
using Profiles.Grains.Resolution;

namespace Profiles.Silo.Http;

/// <summary>The JSON shapes of the API's answers (docs/API.md).</summary>
public sealed record ProfileResponse(
    string ProfileId,
    IReadOnlyList<IdentifierResponse> Identifiers,
    IReadOnlyDictionary<string, JsonElement> Traits,
    IReadOnlyDictionary<string, ChannelResponse> Channels,
    long Touchpoints,
    DateTimeOffset? FirstSeen,
    DateTimeOffset? LastSeen,
    IReadOnlyList<string> MergedProfileIds,
    IReadOnlyList<RefusedLinkResponse> RefusedLinks,
    ComputedResponse Computed,
    IReadOnlyList<string> Audiences,
    long Version)
{
    public static ProfileResponse From(ProfileSnapshot profile)
    {
        var content = profile.Content;
        return new ProfileResponse(
            profile.ProfileId,
            [.. content.Identifiers
                .OrderBy(i => i.Value.Type, StringComparer.Ordinal).ThenBy(i => i.Value.FirstSeen).ThenBy(i => i.Key, StringComparer.Ordinal)
                .Select(i => new IdentifierResponse(i.Value.Type, i.Key, i.Value.Hint, i.Value.FirstSeen, i.Value.LastSeen))],
            content.CurrentTraits().ToDictionary(t => t.Key, t => JsonElement.Parse(t.Value)),
            content.Channels.OrderBy(c => c.Key, StringComparer.Ordinal)
                .ToDictionary(c => c.Key, c => new ChannelResponse(c.Value.Touchpoints, c.Value.FirstSeen, c.Value.LastSeen)),
            content.Touchpoints,
            content.FirstSeen,
            content.LastSeen,
            profile.MergedProfileIds,
            [.. content.RefusedLinks.Values.OrderBy(r => r.At).ThenBy(r => r.TouchpointId, StringComparer.Ordinal)
                .Select(r => new RefusedLinkResponse(r.Type, r.Hint, r.Reason, r.TouchpointId, r.At))],
            new ComputedResponse(profile.Personalised),
            profile.Personalised.Audiences,
            profile.Version);
    }
}

/// <summary>The storefront's small read (<c>fields=computed,audiences</c>): the parts asked for, plus id and version.</summary>
public sealed record PersonalisedResponse(
    string ProfileId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ComputedResponse? Computed,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Audiences,
    long Version)
{
    public static PersonalisedResponse From(PersonalisedProfile profile, ProfileFields fields) => new(
        profile.ProfileId,
        fields.Includes(ProfileFields.Computed) ? new ComputedResponse(profile.Personalised) : null,
        fields.Includes(ProfileFields.Audiences) ? profile.Personalised.Audiences : null,
        profile.Version);
}

/// <summary><c>"computed"</c>: every configured trait by name, each value as its kind gives it (a number, a text, a
/// JSON value, an object of scores, or null).</summary>
[JsonConverter(typeof(ComputedResponseConverter))]
public sealed class ComputedResponse(PersonalisedValues values)
{
    public PersonalisedValues Values { get; } = values;
}

public sealed class ComputedResponseConverter : JsonConverter<ComputedResponse>
{
    public override ComputedResponse Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("Computed traits are only ever written.");

    public override void Write(Utf8JsonWriter writer, ComputedResponse value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        var (names, values) = (value.Values.Names, value.Values.Computed);
        for (var i = 0; i < names.Length; i++)
        {
            writer.WritePropertyName(names[i]);
            values[i].WriteTo(writer);
        }
        writer.WriteEndObject();
    }
}

public sealed record IdentifierResponse(string Type, string Key, string Hint, DateTimeOffset FirstSeen, DateTimeOffset LastSeen);

public sealed record ChannelResponse(long Touchpoints, DateTimeOffset FirstSeen, DateTimeOffset LastSeen);

public sealed record RefusedLinkResponse(string Type, string Hint, string Reason, string TouchpointId, DateTimeOffset At);

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

/// <summary>One result of POST /v1/touchpoints, in the order of the request. <see cref="Ignored"/> lists the
/// identifiers left out because their value is invalid or blocked (<c>{ "field", "reason", "detail" }</c>);
/// <see cref="RefusedLinks"/> the links a limit refused.</summary>
public sealed record TouchpointResult(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Id,
    string Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ProfileId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<IgnoredIdentifier>? Ignored,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<RefusedLinkResult>? RefusedLinks)
{
    public static TouchpointResult Rejected(string? id, string error) => new(id, "rejected", null, error, null, null);

    public static TouchpointResult Landed(string id, IngestOutcome outcome, IReadOnlyList<IgnoredIdentifier> ignored) =>
        new(id, outcome.IsNew ? "accepted" : "duplicate", outcome.ProfileId, null,
            ignored.Count == 0 ? null : ignored,
            outcome.Refused.Length == 0 ? null : [.. outcome.Refused.Select(r => new RefusedLinkResult(r.Type, r.Hint, r.Reason))]);
}

public sealed record RefusedLinkResult(string Type, string Hint, string Reason);
