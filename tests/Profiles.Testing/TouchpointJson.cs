using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Profiles.Contracts;

namespace Profiles.Testing;

/// <summary>
/// The body of <c>POST /v1/touchpoints</c>, written from <see cref="TouchpointSpec"/>s. An instance writes
/// batches into a reused buffer, so a load generator allocates nothing per touchpoint; the static members
/// give tests a body as text or as a <see cref="JsonObject"/> to change before sending.
/// </summary>
public sealed class TouchpointJson
{
    private static readonly JsonEncodedText IdName = JsonEncodedText.Encode("id");
    private static readonly JsonEncodedText OccurredAtName = JsonEncodedText.Encode("occurredAt");
    private static readonly JsonEncodedText ChannelName = JsonEncodedText.Encode("channel");
    private static readonly JsonEncodedText TypeName = JsonEncodedText.Encode("type");
    private static readonly JsonEncodedText IdentifiersName = JsonEncodedText.Encode("identifiers");
    private static readonly JsonEncodedText ValueName = JsonEncodedText.Encode("value");
    private static readonly JsonEncodedText Sha256Name = JsonEncodedText.Encode("sha256");
    private static readonly JsonEncodedText TraitsName = JsonEncodedText.Encode("traits");
    private static readonly JsonEncodedText PropertiesName = JsonEncodedText.Encode("properties");

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);
    private readonly Utf8JsonWriter _writer;

    public TouchpointJson() => _writer = new Utf8JsonWriter(_buffer, WriterOptions);

    /// <summary>Serialises <paramref name="items"/>[from..to) as one array; the memory is valid until the next call.</summary>
    public ReadOnlyMemory<byte> WriteBatch(IReadOnlyList<TouchpointSpec> items, int from, int to)
    {
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        _writer.WriteStartArray();
        for (var i = from; i < to; i++) Write(_writer, items[i]);
        _writer.WriteEndArray();
        _writer.Flush();
        return _buffer.WrittenMemory;
    }

    /// <summary>A batch as the text of one JSON array.</summary>
    public static string Array(IReadOnlyList<TouchpointSpec> items) =>
        Encoding.UTF8.GetString(new TouchpointJson().WriteBatch(items, 0, items.Count).Span);

    /// <summary>One touchpoint as a JSON object a test can change before sending.</summary>
    public static JsonObject Object(TouchpointSpec touchpoint)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions)) Write(writer, touchpoint);
        return JsonNode.Parse(buffer.WrittenSpan)!.AsObject();
    }

    /// <param name="occurredAt">Null: left out, so the node uses the time of receipt.</param>
    public static JsonObject Make(string id, string channel, string type, DateTimeOffset? occurredAt, params (string Type, string Value)[] identifiers) =>
        Object(new TouchpointSpec
        {
            Id = id,
            OccurredAt = occurredAt,
            Channel = channel,
            Type = type,
            Identifiers = [.. identifiers.Select(i => new IdentifierInput(i.Type, i.Value))],
        });

    private static void Write(Utf8JsonWriter writer, TouchpointSpec touchpoint)
    {
        writer.WriteStartObject();
        writer.WriteString(IdName, touchpoint.Id);
        if (touchpoint.OccurredAt is { } at) writer.WriteString(OccurredAtName, at);
        writer.WriteString(ChannelName, touchpoint.Channel);
        writer.WriteString(TypeName, touchpoint.Type);
        writer.WriteStartArray(IdentifiersName);
        foreach (var identifier in touchpoint.Identifiers)
        {
            writer.WriteStartObject();
            writer.WriteString(TypeName, identifier.Type);
            if (identifier.Sha256 is not null) writer.WriteString(Sha256Name, identifier.Sha256);
            else writer.WriteString(ValueName, identifier.Value);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        WriteFields(writer, TraitsName, touchpoint.Traits);
        WriteFields(writer, PropertiesName, touchpoint.Properties);
        writer.WriteEndObject();
    }

    private static void WriteFields(Utf8JsonWriter writer, JsonEncodedText name, IReadOnlyList<JsonField> fields)
    {
        if (fields.Count == 0) return;
        writer.WriteStartObject(name);
        foreach (var field in fields)
        {
            writer.WritePropertyName(field.Name);
            writer.WriteRawValue(field.ValueJson, skipInputValidation: true);
        }
        writer.WriteEndObject();
    }
}
