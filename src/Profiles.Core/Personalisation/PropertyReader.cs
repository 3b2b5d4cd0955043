using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Profiles.Core.Touchpoints;

namespace Profiles.Core.Personalisation;

/// <summary>A value a computed trait reads from a touchpoint. <see cref="Text"/> is what values are compared as;
/// <see cref="Number"/> is set for JSON numbers that fit an exact decimal.</summary>
public readonly record struct TraitValue(string Text, decimal? Number, TraitValueKind Kind)
{
    // Served as JSON data only, so "+" in a UTC offset or "é" need not be escaped.
    private static readonly JsonSerializerOptions JsonText = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The value as JSON, for <c>first</c> / <c>last</c>.</summary>
    public string ToJson() => Kind == TraitValueKind.String ? JsonSerializer.Serialize(Text, JsonText) : Text;

    public static TraitValue OfString(string text) => new(text, null, TraitValueKind.String);
}

public enum TraitValueKind
{
    String,
    Number,
    Boolean,

    /// <summary>An object or an array, kept as its compact JSON text.</summary>
    Json,
}

/// <summary>
/// The property values a set of computed traits needs from one touchpoint, read in one pass over its
/// properties JSON: only the keys some trait reads or filters on are kept.
/// </summary>
public sealed class PropertyReader
{
    // Sums must not depend on the order they are added in, so numbers are exact decimals; a magnitude this
    // large is no amount or quantity, and skipping it keeps any realistic sum of them far from decimal's range.
    private const decimal MaxNumber = 1e20m;

    private readonly string[] _keys;
    private readonly byte[][] _utf8Keys;

    public PropertyReader(IEnumerable<string> keys)
    {
        _keys = [.. keys.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        _utf8Keys = [.. _keys.Select(Encoding.UTF8.GetBytes)];
    }

    /// <summary>The position of <paramref name="key"/> in what <see cref="Read"/> returns.</summary>
    public int IndexOf(string key) => Array.IndexOf(_keys, key);

    /// <summary>The needed properties of <paramref name="touchpoint"/>, by <see cref="IndexOf"/>; null where absent or null.</summary>
    public TraitValue?[] Read(Touchpoint touchpoint)
    {
        var values = new TraitValue?[_keys.Length];
        if (_keys.Length == 0 || touchpoint.PropertiesJson is not { } json) return values;
        var rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(json.Length));
        try
        {
            var length = Encoding.UTF8.GetBytes(json, rented);
            ReadInto(rented.AsSpan(0, length), values);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
        return values;
    }

    private void ReadInto(ReadOnlySpan<byte> json, TraitValue?[] values)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var index = KeyIndex(ref reader);
            reader.Read();
            if (index < 0)
            {
                reader.Skip();
                continue;
            }
            values[index] = reader.TokenType switch
            {
                JsonTokenType.String => TraitValue.OfString(reader.GetString()!),
                JsonTokenType.Number => Number(Encoding.UTF8.GetString(reader.ValueSpan)),
                JsonTokenType.True => new TraitValue("true", null, TraitValueKind.Boolean),
                JsonTokenType.False => new TraitValue("false", null, TraitValueKind.Boolean),
                JsonTokenType.Null => null,
                _ => Raw(ref reader, json),
            };
        }
    }

    private int KeyIndex(ref Utf8JsonReader reader)
    {
        for (var i = 0; i < _utf8Keys.Length; i++)
        {
            if (reader.ValueTextEquals(_utf8Keys[i])) return i;
        }
        return -1;
    }

    private static TraitValue Number(string text)
    {
        decimal? number = decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && Math.Abs(value) <= MaxNumber
            ? Normalise(value)
            : null;
        return new TraitValue(text, number, TraitValueKind.Number);
    }

    private static TraitValue Raw(ref Utf8JsonReader reader, ReadOnlySpan<byte> json)
    {
        var start = (int)reader.TokenStartIndex;
        reader.Skip();
        return new TraitValue(Encoding.UTF8.GetString(json[start..(int)reader.BytesConsumed]), null, TraitValueKind.Json);
    }

    /// <summary>89.90 and 89.9 are one value: trailing zeros would otherwise make min/max depend on which came first.</summary>
    public static decimal Normalise(decimal value) => value / 1.0000000000000000000000000000m;
}
