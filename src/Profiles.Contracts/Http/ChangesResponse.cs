using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Profiles.Contracts.Http;

/// <summary>A page of the change feed (docs/API.md, "Change feed"): <see cref="Items"/> oldest first, and the cursor to
/// read on from, which is the one sent when nothing new was there.</summary>
public sealed record ChangesResponse(IReadOnlyList<FeedChange> Items, string NextCursor);

/// <summary>One change: what every change carries, then the fields of its <see cref="Type"/> in <see cref="Details"/>
/// (<c>touchpointId</c>, <c>channel</c> and <c>touchpointType</c>; <c>mergedProfileId</c>; <c>splitProfileIds</c>, a
/// list; <c>erasedProfileIds</c>, a list; <c>audience</c>; <c>purpose</c>, <c>channel</c> (null for every channel) and
/// <c>status</c>). It never holds an identifier value, a trait or a property.</summary>
public sealed record FeedChange(
    string Cursor,
    string Type,
    string ProfileId,
    [property: JsonConverter(typeof(RoundTripTimeConverter))] DateTimeOffset At)
{
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Details { get; init; }
}

/// <summary>A change's time with all seven digits of its fraction (<c>2026-11-22T09:15:00.1230000+00:00</c>), as the
/// feed has always written it; read as any ISO-8601 time.</summary>
public sealed class RoundTripTimeConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetDateTimeOffset();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString("O", CultureInfo.InvariantCulture));
}
