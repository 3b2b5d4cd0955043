namespace Profiles.Core.Segment;

/// <summary>
/// What became of one Segment event: written as a touchpoint, or skipped for <see cref="SkipReason"/> (one of
/// <see cref="SegmentSkipReasons"/>). A written touchpoint may still be rejected by the touchpoint rules it then
/// goes through (an <c>occurredAt</c> that is no date, properties over their limit).
/// </summary>
public sealed record SegmentMapping(string? SkipReason)
{
    public static readonly SegmentMapping Written = new((string?)null);

    public bool IsWritten => SkipReason is null;

    public static SegmentMapping Skipped(string reason) => new(reason);
}

/// <summary>Why an event was skipped, as the label <c>reason</c> of the skipped-events counter says it.</summary>
public static class SegmentSkipReasons
{
    /// <summary>Its JSON is larger than <see cref="SegmentEventMapper.MaxEventBytes"/>.</summary>
    public const string TooLarge = "too_large";

    /// <summary>It carries no <c>anonymousId</c>, <c>userId</c>, <c>previousId</c>, e-mail or phone at all.</summary>
    public const string NoIdentifier = "no_identifier";

    /// <summary>Its <c>type</c> is none of the six calls, or a track has no event name.</summary>
    public const string UnknownType = "unknown_type";

    /// <summary>A part is malformed, or the touchpoint it makes breaks a touchpoint rule (a bad timestamp, properties
    /// over 16 KiB, no identifier left once invalid ones are left out).</summary>
    public const string Invalid = "invalid";
}
