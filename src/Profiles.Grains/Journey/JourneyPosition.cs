using Profiles.Core.Paging;
using Profiles.Core.Touchpoints;

namespace Profiles.Grains.Journey;

/// <summary>A place in a journey: journeys are ordered newest first by (occurredAt, id), both descending.
/// Clients see it only as an opaque cursor.</summary>
public readonly record struct JourneyPosition(long UtcTicks, string TouchpointId) : IComparable<JourneyPosition>
{
    public static JourneyPosition Of(Touchpoint touchpoint) => new(touchpoint.OccurredAt.UtcTicks, touchpoint.Id);

    /// <summary>Negative when this position comes first in a journey (is newer).</summary>
    public int CompareTo(JourneyPosition other)
    {
        var byTime = other.UtcTicks.CompareTo(UtcTicks);
        return byTime != 0 ? byTime : string.CompareOrdinal(other.TouchpointId, TouchpointId);
    }

    public string ToCursor() => OpaqueCursor.Encode($"{UtcTicks}:{TouchpointId}");

    public static bool TryParseCursor(string cursor, out JourneyPosition position)
    {
        position = default;
        if (!OpaqueCursor.TryDecodeText(cursor, out var text)) return false;
        var colon = text.IndexOf(':');
        if (colon <= 0 || colon == text.Length - 1 || !long.TryParse(text.AsSpan(0, colon), out var ticks)) return false;
        position = new JourneyPosition(ticks, text[(colon + 1)..]);
        return true;
    }
}
