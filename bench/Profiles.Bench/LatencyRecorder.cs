using System.Diagnostics;

namespace Profiles.Bench;

/// <summary>Records latencies (Stopwatch ticks) and reports percentiles from the sorted samples: exact,
/// and cheap enough for the few hundred thousand requests of a run.</summary>
public sealed class LatencyRecorder
{
    private readonly object _gate = new();
    private long[] _samples = new long[1024];
    private int _count;

    public int Count { get { lock (_gate) return _count; } }

    public void Record(long ticks)
    {
        lock (_gate)
        {
            if (_count == _samples.Length) Array.Resize(ref _samples, _samples.Length * 2);
            _samples[_count++] = ticks;
        }
    }

    public void Merge(LatencyRecorder other)
    {
        long[] s;
        lock (other._gate) s = other._samples[..other._count];
        foreach (var t in s) Record(t);
    }

    public void RecordSince(long startTimestamp) => Record(Stopwatch.GetTimestamp() - startTimestamp);

    public LatencySummary Summarise()
    {
        long[] s;
        lock (_gate) s = _samples[.._count];
        Array.Sort(s);
        return LatencySummary.From(s);
    }
}

/// <summary>Percentiles in milliseconds.</summary>
public sealed record LatencySummary(int Count, double P50, double P90, double P99, double P999, double Max, double Mean)
{
    public static LatencySummary Empty { get; } = new(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);

    public static LatencySummary From(long[] sorted)
    {
        if (sorted.Length == 0) return Empty;
        double Ms(long t) => t * 1000.0 / Stopwatch.Frequency;
        double P(double q) => Ms(sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)]);
        double sum = 0;
        foreach (var t in sorted) sum += t;
        return new LatencySummary(sorted.Length, P(0.50), P(0.90), P(0.99), P(0.999), Ms(sorted[^1]), Ms((long)(sum / sorted.Length)));
    }
}
