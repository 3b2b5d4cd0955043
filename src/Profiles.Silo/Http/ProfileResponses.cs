using System.Text.Json;
using System.Text.Json.Serialization;
using Profiles.Contracts;
using Profiles.Contracts.Http;
using Profiles.Core.Consent;
using Profiles.Core.Personalisation;
using Profiles.Core.Touchpoints;
using Profiles.Grains.Abstractions;
using Profiles.Grains.Resolution;

namespace Profiles.Silo.Http;

/// <summary>The storefront's small read (<c>fields=computed,audiences</c>): the parts asked for, plus id, version and
/// consent; no computed trait and no audience while the customer does not allow personalisation.</summary>
public sealed record PersonalisedResponse(
    string ProfileId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ComputedResponse? Computed,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Audiences,
    IReadOnlyDictionary<string, PurposeStatus> Consent,
    long Version)
{
    public static PersonalisedResponse From(PersonalisedProfile profile, ProfileFields fields)
    {
        var values = profile.Personalised.ForStorefront();
        return new(
            profile.ProfileId,
            fields.Includes(ProfilePart.Computed) ? new ComputedResponse(values) : null,
            fields.Includes(ProfilePart.Audiences) ? values.Audiences : null,
            ProfileView.Consent(values.Consent),
            profile.Version);
    }
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

/// <summary>A journey page as the API answers it (<see cref="JourneyResponse"/>, shared with the clients); a profile is
/// <see cref="Profiles.Contracts.Profile"/>, built by <see cref="ProfileView"/>, and a touchpoint result is
/// <see cref="Profiles.Contracts.TouchpointResult"/>.</summary>
public static class JourneyAnswer
{
    public static JourneyResponse From(JourneyPage page) =>
        new(page.ProfileId, [.. page.Items.Select(Item)], page.Next?.ToCursor());

    private static JourneyItemResponse Item(Touchpoint touchpoint) => new(
        touchpoint.Id,
        touchpoint.OccurredAt,
        touchpoint.Channel,
        touchpoint.Type,
        [.. touchpoint.Identifiers.Select(i => new JourneyIdentifierResponse(i.Type, i.Key, i.Hint))],
        touchpoint.Traits.ToDictionary(t => t.Name, t => JsonElement.Parse(t.ValueJson ?? "null")),
        touchpoint.PropertiesJson is null ? null : JsonElement.Parse(touchpoint.PropertiesJson));
}

/// <summary>A profile's decision history as the API answers it (<see cref="ConsentHistoryResponse"/>, shared with the clients).</summary>
public static class ConsentHistoryAnswer
{
    public static ConsentHistoryResponse From(ProfileSnapshot profile) =>
        new(profile.ProfileId, [.. (profile.Content.Consent?.History ?? []).Select(Decision)]);

    private static ConsentDecisionResponse Decision(ConsentRecord record) => new(
        record.Purpose, record.Channel, ConsentStatus.Of(record.Granted), record.At, record.TouchpointId, record.ChannelOfTouchpoint,
        record.Document, record.ExpiresAt);
}
