namespace Profiles.Grains.Standing;

/// <summary>The statistics over time (docs/API.md, "Statistics"): one sample per sampling interval, kept
/// <see cref="StatsOptions.Retention"/>, whichever and however many nodes sampled it.</summary>
public interface IStatsHistory
{
    /// <summary>Keeps a sample unless one was kept for the same time already: every node samples every interval,
    /// and the first to record it wins.</summary>
    Task RecordAsync(StatsSample sample);

    /// <summary>The samples from <paramref name="from"/> to <paramref name="to"/>, both included, oldest first.</summary>
    Task<IReadOnlyList<StatsSample>> ReadAsync(DateTimeOffset from, DateTimeOffset to);
}

/// <summary>The figures as they stood at <paramref name="At"/>, the start of a sampling interval.</summary>
public sealed record StatsSample(DateTimeOffset At, StandingTotals Totals);
