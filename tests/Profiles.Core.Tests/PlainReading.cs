using System.Globalization;
using System.Text.Json;
using Profiles.Core.Personalisation;
using Profiles.Core.Touchpoints;

namespace Profiles.Core.Tests;

/// <summary>The computed-trait rules of docs/PERSONALISATION.md read plainly, apart from the fold: each value computed from the whole list of
/// touchpoints. Tables are never capped here, so tests give it fewer distinct values than the caps.</summary>
internal static class PlainReading
{
    public static Dictionary<string, string> Values(ComputedTraits traits, IReadOnlyList<Touchpoint> touchpoints, DateOnly today) =>
        traits.Definitions.ToDictionary(d => d.Name, d => Value(d, touchpoints, today));

    private static string Value(ComputedTraitDefinition d, IReadOnlyList<Touchpoint> touchpoints, DateOnly today)
    {
        var window = d.Kind == ComputedTraitKind.Affinity ? d.WindowDays ?? 400 : d.WindowDays;
        var seen = touchpoints
            .Where(t => Matches(d, t))
            .Select(t => (Touchpoint: t, Value: ValueOf(d, t)))
            .Where(x => d.Of is null || x.Value is not null)
            .Where(x => window is not { } n || (Day(x.Touchpoint) <= today && Day(x.Touchpoint) > today.AddDays(-n)))
            .ToList();
        var numbers = seen.Select(x => x.Value?.Number).OfType<decimal>().ToList();
        var texts = seen.Select(x => x.Value?.Text).OfType<string>().ToList();
        var ordered = seen.OrderBy(x => x.Touchpoint.OccurredAt.UtcDateTime).ThenBy(x => x.Touchpoint.Id, StringComparer.Ordinal).ToList();
        return d.Kind switch
        {
            ComputedTraitKind.Count => seen.Count.ToString(CultureInfo.InvariantCulture),
            ComputedTraitKind.Sum => numbers.Count == 0 ? "null" : Number(numbers.Sum()),
            ComputedTraitKind.Min => numbers.Count == 0 ? "null" : Number(numbers.Min()),
            ComputedTraitKind.Max => numbers.Count == 0 ? "null" : Number(numbers.Max()),
            ComputedTraitKind.First => ordered.Count == 0 ? "null" : ordered[0].Value!.Value.ToJson(),
            ComputedTraitKind.Last => ordered.Count == 0 ? "null" : ordered[^1].Value!.Value.ToJson(),
            ComputedTraitKind.Distinct => texts.Distinct(StringComparer.Ordinal).Count().ToString(CultureInfo.InvariantCulture),
            ComputedTraitKind.Top => texts.GroupBy(t => t, StringComparer.Ordinal)
                .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => g.Key).FirstOrDefault() ?? "null",
            ComputedTraitKind.Affinity => string.Join(", ", seen
                .GroupBy(x => x.Value!.Value.Text, StringComparer.Ordinal)
                .Select(g => (Value: g.Key, Score: Math.Round((decimal)g.Sum(x => Math.Pow(0.5, (today.DayNumber - Day(x.Touchpoint).DayNumber) / d.HalfLifeDays)), 4, MidpointRounding.AwayFromZero)))
                .OrderByDescending(s => s.Score).ThenBy(s => s.Value, StringComparer.Ordinal).Take(5)
                .Select(s => $"{s.Value}={Number(s.Score)}")),
            _ => throw new ArgumentOutOfRangeException(nameof(d)),
        };
    }

    private static DateOnly Day(Touchpoint t) => DateOnly.FromDateTime(t.OccurredAt.UtcDateTime);

    private static string Number(decimal value) => (value / 1.0000000000000000000000000000m).ToString(CultureInfo.InvariantCulture);

    private static bool Matches(ComputedTraitDefinition d, Touchpoint t) =>
        (d.Where.Channels is null || d.Where.Channels.Contains(t.Channel))
        && (d.Where.Types is null || d.Where.Types.Contains(t.Type))
        && d.Where.Properties.All(p => Property(t, p.Key) is { } value && p.Value.Contains(value.Text));

    private static TraitValue? ValueOf(ComputedTraitDefinition d, Touchpoint t) => d.Of switch
    {
        null => null,
        "channel" => TraitValue.OfString(t.Channel),
        "type" => TraitValue.OfString(t.Type),
        "occurredAt" => TraitValue.OfString(t.OccurredAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture) + "+00:00"),
        var key => Property(t, key),
    };

    private static TraitValue? Property(Touchpoint t, string key)
    {
        if (t.PropertiesJson is null) return null;
        using var document = JsonDocument.Parse(t.PropertiesJson);
        if (!document.RootElement.TryGetProperty(key, out var value)) return null;
        return value.ValueKind switch
        {
            JsonValueKind.String => TraitValue.OfString(value.GetString()!),
            JsonValueKind.Number => new TraitValue(value.GetRawText(), decimal.Parse(value.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture), TraitValueKind.Number),
            JsonValueKind.True or JsonValueKind.False => new TraitValue(value.GetRawText(), null, TraitValueKind.Boolean),
            JsonValueKind.Null => null,
            _ => new TraitValue(value.GetRawText(), null, TraitValueKind.Json),
        };
    }
}
