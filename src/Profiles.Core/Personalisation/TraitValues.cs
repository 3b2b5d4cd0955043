namespace Profiles.Core.Personalisation;

/// <summary>A computed trait's value from its accumulator, on a given UTC day (docs/PERSONALISATION.md).</summary>
internal static class TraitValues
{
    private const int AffinityValues = 5;

    public static ComputedValue Empty(ComputedTraitDefinition definition) =>
        definition.Kind switch
        {
            ComputedTraitKind.Count or ComputedTraitKind.Distinct => ComputedValue.Of(0),
            ComputedTraitKind.Affinity => ComputedValue.NoScores,
            _ => ComputedValue.Null,
        };

    public static ComputedValue Of(ComputedTraitDefinition definition, TraitAccumulator accumulator, int today)
    {
        var tallies = definition.EffectiveWindowDays is { } window ? InWindow(accumulator, today - window + 1, today) : Total(accumulator);
        return definition.Kind switch
        {
            ComputedTraitKind.Count => ComputedValue.Of(tallies.Sum(t => t.Tally.Count)),
            ComputedTraitKind.Sum => Numeric(tallies, numbers => numbers.Sum(t => t.Sum)),
            ComputedTraitKind.Min => Numeric(tallies, numbers => numbers.Min(t => t.Min)),
            ComputedTraitKind.Max => Numeric(tallies, numbers => numbers.Max(t => t.Max)),
            ComputedTraitKind.First or ComputedTraitKind.Last => ComputedValue.OfJson(accumulator.Extreme?.Json),
            ComputedTraitKind.Distinct => ComputedValue.Of(accumulator.Total?.Values?.Counts.Count ?? 0),
            ComputedTraitKind.Top => ComputedValue.OfText(Top(Counted(tallies, accumulator.ValueCapacity))),
            ComputedTraitKind.Affinity => Affinity(tallies, accumulator.ValueCapacity, definition.HalfLifeDays, today),
            _ => throw new ArgumentOutOfRangeException(nameof(definition), definition.Kind, null),
        };
    }

    private static List<(int Day, Tally Tally)> Total(TraitAccumulator accumulator) =>
        accumulator.Total is { } total ? [(0, total)] : [];

    /// <summary>Buckets of the days from <paramref name="first"/> to <paramref name="last"/>, oldest first.</summary>
    private static List<(int Day, Tally Tally)> InWindow(TraitAccumulator accumulator, int first, int last) =>
        accumulator.Days is null ? [] : [.. accumulator.Days.Where(d => d.Key >= first && d.Key <= last).Select(d => (d.Key, d.Value))];

    private static ComputedValue Numeric(List<(int Day, Tally Tally)> tallies, Func<IEnumerable<Tally>, decimal> combine)
    {
        var numeric = tallies.Select(t => t.Tally).Where(t => t.Numbers > 0).ToList();
        return numeric.Count == 0 ? ComputedValue.Null : ComputedValue.Of(combine(numeric));
    }

    /// <summary>The values of the buckets with their counts, limited to the values every bucket kept in full: the
    /// capacity's smallest of their union (see <see cref="ValueCounts"/>).</summary>
    private static IEnumerable<KeyValuePair<string, long>> Counted(List<(int Day, Tally Tally)> tallies, int capacity)
    {
        if (tallies.Count == 1) return tallies[0].Tally.Values?.Counts ?? [];
        var union = new ValueCounts();
        foreach (var (_, tally) in tallies)
        {
            if (tally.Values is not null) union.Merge(tally.Values, capacity);
        }
        return union.Counts;
    }

    /// <summary>The most frequent value; ties go to the smallest in ordinal order, which comes first.</summary>
    private static string? Top(IEnumerable<KeyValuePair<string, long>> counts)
    {
        string? top = null;
        long best = 0;
        foreach (var (value, count) in counts)
        {
            if (count > best) (top, best) = (value, count);
        }
        return top;
    }

    /// <summary>Scores = sum over touchpoints of 0.5^(age / halfLife), age in whole UTC days. Each value's score is
    /// summed oldest day first, so the same buckets give the same floating-point result however they were built.</summary>
    private static ComputedValue Affinity(List<(int Day, Tally Tally)> tallies, int capacity, double halfLife, int today)
    {
        var kept = Counted(tallies, capacity).Select(c => c.Key).ToHashSet(StringComparer.Ordinal);
        var scores = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (day, tally) in tallies)
        {
            if (tally.Values is null) continue;
            var weight = Math.Pow(0.5, (today - day) / halfLife);
            foreach (var (value, count) in tally.Values.Counts)
            {
                if (kept.Contains(value)) scores[value] = scores.GetValueOrDefault(value) + count * weight;
            }
        }
        if (scores.Count == 0) return ComputedValue.NoScores;
        return new ComputedValue(ComputedValueKind.Scores, Scores: [.. scores
            .Select(s => KeyValuePair.Create(s.Key, Math.Round((decimal)s.Value, 4, MidpointRounding.AwayFromZero)))
            .OrderByDescending(s => s.Value).ThenBy(s => s.Key, StringComparer.Ordinal)
            .Take(AffinityValues)
            .Select(s => KeyValuePair.Create(s.Key, PropertyReader.Normalise(s.Value)))]);
    }
}
