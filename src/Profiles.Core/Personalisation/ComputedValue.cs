using System.Globalization;
using System.Text.Json;

namespace Profiles.Core.Personalisation;

public enum ComputedValueKind
{
    Null,
    Number,

    /// <summary>A text: <c>top</c>'s value, compared as text.</summary>
    Text,

    /// <summary>A JSON value as a touchpoint carried it: <c>first</c> / <c>last</c>.</summary>
    Json,

    /// <summary><c>affinity</c>: values to scores, highest first.</summary>
    Scores,
}

/// <summary>A computed trait's value for one profile on one day, as the profile answer shows it.</summary>
public sealed record ComputedValue(ComputedValueKind Kind, decimal Number = 0, string? Text = null, IReadOnlyList<KeyValuePair<string, decimal>>? Scores = null)
{
    public static readonly ComputedValue Null = new(ComputedValueKind.Null);

    /// <summary><c>affinity</c> over nothing.</summary>
    public static readonly ComputedValue NoScores = new(ComputedValueKind.Scores, Scores: []);

    // An active profile keeps its values as last evaluated, and most are counts of a few: 0 to 63 are one shared
    // instance each rather than an object per profile. Only non-negative whole numbers written without a decimal
    // point qualify, so a shared value writes exactly as a new one would.
    private static readonly ComputedValue[] SmallCounts = [.. Enumerable.Range(0, 64).Select(n => new ComputedValue(ComputedValueKind.Number, n))];

    public static ComputedValue Of(decimal number)
    {
        var normalised = PropertyReader.Normalise(number);
        return normalised.Scale == 0 && !decimal.IsNegative(normalised) && normalised < SmallCounts.Length
            ? SmallCounts[(int)normalised]
            : new(ComputedValueKind.Number, normalised);
    }

    public static ComputedValue OfText(string? text) => text is null ? Null : new(ComputedValueKind.Text, Text: text);

    public static ComputedValue OfJson(string? json) => json is null ? Null : new(ComputedValueKind.Json, Text: json);

    public void WriteTo(Utf8JsonWriter writer)
    {
        switch (Kind)
        {
            case ComputedValueKind.Number: writer.WriteNumberValue(Number); break;
            case ComputedValueKind.Text: writer.WriteStringValue(Text); break;
            case ComputedValueKind.Json: writer.WriteRawValue(Text!, skipInputValidation: true); break;
            case ComputedValueKind.Scores:
                writer.WriteStartObject();
                foreach (var (value, score) in Scores!) writer.WriteNumber(value, score);
                writer.WriteEndObject();
                break;
            default: writer.WriteNullValue(); break;
        }
    }

    /// <summary>What an audience expression compares: a number, a text, a boolean, or nothing comparable.</summary>
    public object? ToComparable() => Kind switch
    {
        ComputedValueKind.Number => (double)Number,
        ComputedValueKind.Text => Text,
        ComputedValueKind.Json => ComparableJson(Text!),
        _ => null,
    };

    /// <summary>A JSON scalar as an audience compares it; objects, arrays and null compare to nothing.</summary>
    public static object? ComparableJson(string json)
    {
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(json));
        reader.Read();
        return reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString(),
            JsonTokenType.Number => reader.GetDouble(),
            JsonTokenType.True => true,
            JsonTokenType.False => false,
            _ => null,
        };
    }

    public override string ToString() => Kind switch
    {
        ComputedValueKind.Number => Number.ToString(CultureInfo.InvariantCulture),
        ComputedValueKind.Text or ComputedValueKind.Json => Text!,
        ComputedValueKind.Scores => string.Join(", ", Scores!.Select(s => $"{s.Key}={s.Value.ToString(CultureInfo.InvariantCulture)}")),
        _ => "null",
    };
}
