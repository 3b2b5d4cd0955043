using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Profiles.Bench;

/// <summary>Writes batches of touchpoints as a JSON array into a reused buffer: no per-item strings.</summary>
public sealed class TouchpointJson
{
    private static readonly JsonEncodedText PId = JsonEncodedText.Encode("id");
    private static readonly JsonEncodedText POccurredAt = JsonEncodedText.Encode("occurredAt");
    private static readonly JsonEncodedText PChannel = JsonEncodedText.Encode("channel");
    private static readonly JsonEncodedText PType = JsonEncodedText.Encode("type");
    private static readonly JsonEncodedText PIdentifiers = JsonEncodedText.Encode("identifiers");
    private static readonly JsonEncodedText PValue = JsonEncodedText.Encode("value");
    private static readonly JsonEncodedText PSha256 = JsonEncodedText.Encode("sha256");
    private static readonly JsonEncodedText PTraits = JsonEncodedText.Encode("traits");
    private static readonly JsonEncodedText PFirstName = JsonEncodedText.Encode("firstName");
    private static readonly JsonEncodedText PCity = JsonEncodedText.Encode("city");
    private static readonly JsonEncodedText PProperties = JsonEncodedText.Encode("properties");
    private static readonly JsonEncodedText PAmount = JsonEncodedText.Encode("amount");
    private static readonly JsonEncodedText PCurrency = JsonEncodedText.Encode("currency");
    private static readonly JsonEncodedText PCategory = JsonEncodedText.Encode("category");
    private static readonly JsonEncodedText PStoreId = JsonEncodedText.Encode("storeId");

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

    public static void Write(Utf8JsonWriter w, TouchpointSpec t)
    {
        w.WriteStartObject();
        Span<char> id = stackalloc char[t.IdPrefix.Length + 24];
        t.IdPrefix.AsSpan().CopyTo(id);
        var n = t.IdPrefix.Length;
        t.Customer.TryFormat(id[n..], out var c1);
        n += c1;
        id[n++] = '-';
        t.K.TryFormat(id[n..], out var c2);
        n += c2;
        w.WriteString(PId, id[..n]);
        w.WriteString(POccurredAt, t.OccurredAt);
        w.WriteString(PChannel, t.Channel);
        w.WriteString(PType, t.Type);
        w.WriteStartArray(PIdentifiers);
        foreach (var ident in t.Identifiers)
        {
            w.WriteStartObject();
            w.WriteString(PType, ident.Type);
            if (ident.Sha256 is not null) w.WriteString(PSha256, ident.Sha256);
            else w.WriteString(PValue, ident.Value);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        if (t.FirstName is not null || t.City is not null)
        {
            w.WriteStartObject(PTraits);
            if (t.FirstName is not null) w.WriteString(PFirstName, t.FirstName);
            if (t.City is not null) w.WriteString(PCity, t.City);
            w.WriteEndObject();
        }
        if (t.Purchase is { } p)
        {
            w.WriteStartObject(PProperties);
            w.WriteNumber(PAmount, p.Amount);
            w.WriteString(PCurrency, p.Currency);
            w.WriteString(PCategory, p.Category);
            w.WriteString(PStoreId, p.StoreId);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }
}
