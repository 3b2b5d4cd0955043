using Orleans;

namespace Profiles.Core.Personalisation;

/// <summary>
/// The fold state of one computed trait. Which parts are used depends on the kind: <see cref="Total"/> for a kind
/// without a window, <see cref="Days"/> (UTC day number to that day's tally) for a window and for affinity, and
/// <see cref="Extreme"/> for first / last. Values that depend on today's date are computed from the buckets
/// when read, so a window moves with the date without any new touchpoint.
/// </summary>
public sealed class TraitAccumulator(ComputedTraitKind kind)
{
    /// <summary>Kept with the state so two accumulators combine without the configuration at hand.</summary>
    public ComputedTraitKind Kind { get; } = kind;

    public Tally? Total { get; set; }

    public DayTallies? Days { get; set; }

    public ValueAt? Extreme { get; set; }

    /// <summary>Values a table of this kind keeps (0: none).</summary>
    public int ValueCapacity => Kind switch
    {
        ComputedTraitKind.Distinct => ValueCounts.DistinctCapacity,
        ComputedTraitKind.Top or ComputedTraitKind.Affinity => ValueCounts.RankingCapacity,
        _ => 0,
    };

    public void Add(TraitValue? value, DateTimeOffset at, string touchpointId, bool byDay)
    {
        if (Kind is ComputedTraitKind.First or ComputedTraitKind.Last)
        {
            // The JSON is made only for a value that may win: most touchpoints are not the first or the last.
            if (Extreme is null || !Prefers(Extreme.At, Extreme.Id, at, touchpointId)) Keep(new ValueAt(at, touchpointId, value!.Value.ToJson()));
            return;
        }
        var tally = byDay ? DayOf(at) : Total ??= new();
        tally.Add(value, ValueCapacity);
    }

    /// <summary>Takes in the state of another, disjoint set of touchpoints.</summary>
    public void Merge(TraitAccumulator other)
    {
        if (other.Extreme is not null) Keep(other.Extreme);
        if (other.Total is not null) (Total ??= new()).Merge(other.Total, ValueCapacity);
        if (other.Days is null) return;
        Days ??= new(other.Days.Count);
        foreach (var (day, tally) in other.Days)
        {
            if (Days.TryGetValue(day, out var mine)) mine.Merge(tally, ValueCapacity);
            else Days.Set(day, tally.Copy());
        }
    }

    /// <summary>Drops day buckets before <paramref name="firstDay"/>: no window reaches them any more.</summary>
    public void DropDaysBefore(int firstDay) => Days?.RemoveBefore(firstDay);

    public static int DayNumber(DateTimeOffset at) => DateOnly.FromDateTime(at.UtcDateTime).DayNumber;

    private Tally DayOf(DateTimeOffset at) => (Days ??= new()).Of(DayNumber(at));

    private void Keep(ValueAt candidate)
    {
        var order = Extreme is null ? 0 : candidate.CompareTo(Extreme);
        if (Extreme is null || (Kind == ComputedTraitKind.First ? order < 0 : order > 0)) Extreme = candidate;
    }

    /// <summary>Whether (<paramref name="at"/>, <paramref name="id"/>) is strictly preferred, by time and id, to the other.</summary>
    private bool Prefers(DateTimeOffset at, string id, DateTimeOffset otherAt, string otherId)
    {
        var order = at.CompareTo(otherAt);
        if (order == 0) order = string.CompareOrdinal(id, otherId);
        return Kind == ComputedTraitKind.First ? order < 0 : order > 0;
    }

    public TraitAccumulator Copy() => new(Kind)
    {
        Total = Total?.Copy(),
        Days = Days?.Copy(),
        Extreme = Extreme,
    };
}

/// <summary>The value of <c>of</c> on one touchpoint, with what orders it among others: (<see cref="At"/>, <see cref="Id"/>).</summary>
[GenerateSerializer, Immutable, Alias("ValueAt")]
public sealed record ValueAt(DateTimeOffset At, string Id, string Json)
{
    /// <summary>Negative when this comes first. The JSON only separates what cannot differ for two distinct touchpoints.</summary>
    public int CompareTo(ValueAt other)
    {
        var order = At.CompareTo(other.At);
        if (order == 0) order = string.CompareOrdinal(Id, other.Id);
        return order != 0 ? order : string.CompareOrdinal(Json, other.Json);
    }
}
