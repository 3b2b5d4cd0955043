namespace Profiles.Grains.Changes;

/// <summary><c>Profiles:Changes</c>: how long the feed keeps a change.</summary>
public sealed class ChangeFeedOptions
{
    public const string Section = "Profiles:Changes";

    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);
}
