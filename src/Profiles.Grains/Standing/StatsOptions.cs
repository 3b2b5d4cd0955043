namespace Profiles.Grains.Standing;

/// <summary>The <c>Profiles:Stats</c> section: how often the statistics are sampled into their history.</summary>
public sealed class StatsOptions
{
    public const string Section = "Profiles:Stats";

    /// <summary>How long samples are kept, and the widest range one history read may ask for.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(30);

    /// <summary>A minute: what the history promises. Tests set a second, so as not to wait a minute.</summary>
    public TimeSpan SampleInterval { get; set; } = TimeSpan.FromMinutes(1);
}
