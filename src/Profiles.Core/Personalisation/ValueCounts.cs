namespace Profiles.Core.Personalisation;

/// <summary>
/// How many times each value was seen, for <c>distinct</c>, <c>top</c> and <c>affinity</c>. A table holds at most
/// its capacity of values: the smallest by ordinal text order, each with its full count. That rule does not
/// depend on the order values arrive or tables merge: a value among the N smallest of a union is among the N
/// smallest of every part holding it, so no part ever dropped it, and its count is exact.
/// </summary>
public sealed class ValueCounts
{
    /// <summary>Values a <c>top</c> or <c>affinity</c> table keeps, in each day bucket too.</summary>
    public const int RankingCapacity = 100;

    /// <summary>Values a <c>distinct</c> table keeps: a profile with more reports this many.</summary>
    public const int DistinctCapacity = 1000;

    public ValueCounts()
    {
    }

    public ValueCounts(IEnumerable<KeyValuePair<string, long>> counts)
    {
        foreach (var (value, count) in counts) Counts.Add(value, count);
    }

    public SortedList<string, long> Counts { get; } = new(StringComparer.Ordinal);

    public void Add(string value, long count, int capacity)
    {
        Counts[value] = Counts.GetValueOrDefault(value) + count;
        if (Counts.Count > capacity) Counts.RemoveAt(Counts.Count - 1);
    }

    public void Merge(ValueCounts other, int capacity)
    {
        foreach (var (value, count) in other.Counts) Add(value, count, capacity);
    }

    public ValueCounts Copy() => new(Counts);
}
