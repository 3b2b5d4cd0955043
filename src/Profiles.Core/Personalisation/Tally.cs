namespace Profiles.Core.Personalisation;

/// <summary>
/// What one computed trait saw over a set of touchpoints (all of them, or one UTC day's): how many matched, the
/// exact sum and the extremes of their numeric values, and a value table when the kind ranks or counts values.
/// Counts and sums add up over disjoint sets of touchpoints, which is what the merge protocol hands over.
/// </summary>
public sealed class Tally
{
    public long Count { get; set; }

    /// <summary>How many of them carried a number: <see cref="Sum"/>, <see cref="Min"/> and <see cref="Max"/> mean
    /// something only when it is above zero.</summary>
    public long Numbers { get; set; }

    public decimal Sum { get; set; }

    public decimal Min { get; set; }

    public decimal Max { get; set; }

    public ValueCounts? Values { get; set; }

    public void Add(TraitValue? value, int valueCapacity)
    {
        Count++;
        if (value is not { } seen) return;
        if (seen.Number is { } number) AddNumbers(1, number, number, number);
        if (valueCapacity > 0) (Values ??= new()).Add(seen.Text, 1, valueCapacity);
    }

    public void Merge(Tally other, int valueCapacity)
    {
        Count += other.Count;
        if (other.Numbers > 0) AddNumbers(other.Numbers, other.Sum, other.Min, other.Max);
        if (other.Values is not null) (Values ??= new()).Merge(other.Values, valueCapacity);
    }

    public Tally Copy() => new() { Count = Count, Numbers = Numbers, Sum = Sum, Min = Min, Max = Max, Values = Values?.Copy() };

    private void AddNumbers(long numbers, decimal sum, decimal min, decimal max)
    {
        (Min, Max) = Numbers == 0 ? (min, max) : (Math.Min(Min, min), Math.Max(Max, max));
        Numbers += numbers;
        Sum += sum;
    }
}
