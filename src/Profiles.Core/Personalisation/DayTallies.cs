using System.Collections;

namespace Profiles.Core.Personalisation;

/// <summary>
/// A windowed trait's tallies by UTC day number, oldest first, in two arrays side by side. An active profile keeps
/// these in memory for minutes and the collector marks through them at every pause: a sorted tree cost an object
/// per day and three more for itself. Touchpoints mostly arrive for the latest day, so most inserts append.
/// </summary>
public sealed class DayTallies : IEnumerable<KeyValuePair<int, Tally>>
{
    private int[] _days;
    private Tally[] _tallies;

    public DayTallies(int capacity = 1)
    {
        _days = new int[capacity];
        _tallies = new Tally[capacity];
    }

    public int Count { get; private set; }

    /// <summary>The day numbers held, oldest first.</summary>
    public IEnumerable<int> Keys => new ArraySegment<int>(_days, 0, Count);

    /// <summary>The tally of <paramref name="day"/>, an empty one added when the day had none.</summary>
    public Tally Of(int day)
    {
        var at = Array.BinarySearch(_days, 0, Count, day);
        if (at >= 0) return _tallies[at];
        var tally = new Tally();
        Insert(~at, day, tally);
        return tally;
    }

    /// <summary>Makes <paramref name="tally"/> the tally of <paramref name="day"/>, in place of any it had.</summary>
    public void Set(int day, Tally tally)
    {
        var at = Array.BinarySearch(_days, 0, Count, day);
        if (at >= 0) _tallies[at] = tally;
        else Insert(~at, day, tally);
    }

    public bool TryGetValue(int day, out Tally tally)
    {
        var at = Array.BinarySearch(_days, 0, Count, day);
        tally = at >= 0 ? _tallies[at] : null!;
        return at >= 0;
    }

    /// <summary>Drops the days before <paramref name="firstDay"/>.</summary>
    public void RemoveBefore(int firstDay)
    {
        var at = Array.BinarySearch(_days, 0, Count, firstDay);
        var dropped = at >= 0 ? at : ~at;
        if (dropped == 0) return;
        var kept = Count - dropped;
        Array.Copy(_days, dropped, _days, 0, kept);
        Array.Copy(_tallies, dropped, _tallies, 0, kept);
        Array.Clear(_tallies, kept, dropped);
        Count = kept;
    }

    public DayTallies Copy()
    {
        var copy = new DayTallies(Count);
        for (var i = 0; i < Count; i++) copy.Insert(i, _days[i], _tallies[i].Copy());
        return copy;
    }

    public IEnumerator<KeyValuePair<int, Tally>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++) yield return KeyValuePair.Create(_days[i], _tallies[i]);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private void Insert(int at, int day, Tally tally)
    {
        if (Count == _days.Length)
        {
            var capacity = Math.Max(1, Count * 2);
            Array.Resize(ref _days, capacity);
            Array.Resize(ref _tallies, capacity);
        }
        Array.Copy(_days, at, _days, at + 1, Count - at);
        Array.Copy(_tallies, at, _tallies, at + 1, Count - at);
        (_days[at], _tallies[at]) = (day, tally);
        Count++;
    }
}
