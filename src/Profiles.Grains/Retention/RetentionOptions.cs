namespace Profiles.Grains.Retention;

/// <summary><c>Profiles:Retention</c>: what a node forgets, and how often it looks.</summary>
public sealed class RetentionOptions
{
    public const string Section = "Profiles:Retention";

    /// <summary>How often the node applies what it must forget: what passed a limit, or an erased customer's changes
    /// in the feed, is gone from every store within one interval.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a touchpoint's content is kept after its <c>occurredAt</c>; null: for ever. Past it the
    /// touchpoint leaves the journey and its content every store; its id, its links and the figures it gave stay.</summary>
    public TimeSpan? Touchpoints { get; set; }

    /// <summary>How long a profile holding only anonymous identifiers (cookies, device ids) is kept after it was last
    /// seen; null: for ever. Past it the profile is erased as by a DELETE.</summary>
    public TimeSpan? AnonymousProfiles { get; set; }
}
