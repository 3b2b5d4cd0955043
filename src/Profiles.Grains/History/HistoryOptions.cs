namespace Profiles.Grains.History;

/// <summary><c>Profiles:History</c>: the history tier, where journey items older than <see cref="HotDays"/> live.</summary>
public sealed class HistoryOptions
{
    public const string Section = "Profiles:History";

    /// <summary>An Npgsql connection string; absent, journeys stay whole in Redis.</summary>
    public string? Connection { get; set; }

    /// <summary>How many days of a journey, by <c>occurredAt</c>, stay in Redis; older items move to PostgreSQL.</summary>
    public int HotDays { get; set; } = 7;

    public bool IsEnabled => !string.IsNullOrWhiteSpace(Connection);

    public TimeSpan Hot => TimeSpan.FromDays(HotDays);
}
