namespace Profiles.Grains.Retention;

/// <summary><c>Profiles:Retention</c>: what a node forgets, and how often it looks.</summary>
public sealed class RetentionOptions
{
    public const string Section = "Profiles:Retention";

    /// <summary>How often the node applies what it must forget: what passed a limit, or an erased customer's changes
    /// in the feed, is gone from every store within one interval.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);
}
