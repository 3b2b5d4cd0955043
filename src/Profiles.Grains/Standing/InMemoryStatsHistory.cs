namespace Profiles.Grains.Standing;

/// <summary>The embedded default's history, in memory: lost on restart with everything else.</summary>
public sealed class InMemoryStatsHistory : IStatsHistory
{
    private readonly object _gate = new();
    private readonly SortedList<DateTimeOffset, StandingTotals> _samples = [];

    public Task RecordAsync(StatsSample sample)
    {
        lock (_gate)
        {
            _samples.TryAdd(sample.At, sample.Totals);
            while (_samples.Count > 0 && _samples.Keys[0] < sample.At - StatsOptions.Retention) _samples.RemoveAt(0);
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<StatsSample>> ReadAsync(DateTimeOffset from, DateTimeOffset to)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<StatsSample>>(
                [.. _samples.Where(s => s.Key >= from && s.Key <= to).Select(s => new StatsSample(s.Key, s.Value))]);
        }
    }
}
