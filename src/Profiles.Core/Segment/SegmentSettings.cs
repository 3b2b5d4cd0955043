namespace Profiles.Core.Segment;

/// <summary>
/// How events of the Segment Spec become touchpoints (docs/SEGMENT.md): the touchpoint type of a named track event,
/// the identifier types of <c>userId</c> and of an alias's <c>previousId</c>, and the consent purpose each consent
/// category of a consent manager stands for.
/// </summary>
/// <param name="EventTypes">A track event's name (compared ignoring case) to its touchpoint type; names not listed are
/// snake-cased (<see cref="SegmentEventTypes.SnakeCase"/>).</param>
/// <param name="UserIdType">The identifier type <c>userId</c> is read as.</param>
/// <param name="PreviousIdType">The identifier type an alias's <c>previousId</c> is read as; null: as <c>anonymousId</c>
/// (<see cref="SegmentEventTypes.AnonymousIdType"/>), the usual case of a visitor who signs up.</param>
/// <param name="ConsentCategories">A consent category (compared ignoring case) to the purpose it decides.</param>
public sealed record SegmentSettings(
    IReadOnlyDictionary<string, string> EventTypes,
    string UserIdType,
    string? PreviousIdType,
    IReadOnlyDictionary<string, string> ConsentCategories)
{
    public const string DefaultUserIdType = "customer_id";

    /// <summary>No event mapped, no consent category: what the settings are before configuration adds to them.</summary>
    public static SegmentSettings Unconfigured { get; } = new(
        new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase), DefaultUserIdType, null,
        new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase));
}
