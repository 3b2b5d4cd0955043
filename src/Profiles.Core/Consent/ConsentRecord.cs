using Orleans;
using Profiles.Core.Touchpoints;

namespace Profiles.Core.Consent;

/// <summary>
/// One decision as a profile keeps it: the decision, and the touchpoint that carried it (its id, time and channel),
/// which is what a controller shows to demonstrate consent. Immutable; times in UTC, so two spellings of one instant
/// cannot make the fold depend on order.
/// </summary>
/// <param name="At">The touchpoint's <c>occurredAt</c>, in UTC.</param>
/// <param name="ChannelOfTouchpoint">The channel the touchpoint came by (an SMS "STOP" comes by <c>sms</c>).</param>
[GenerateSerializer, Immutable, Alias("ConsentRecord")]
public sealed record ConsentRecord(
    string Purpose,
    string? Channel,
    bool Granted,
    DateTimeOffset At,
    string TouchpointId,
    string ChannelOfTouchpoint,
    string? Document,
    DateTimeOffset? ExpiresAt) : IComparable<ConsentRecord>
{
    public static ConsentRecord Of(ConsentDecision decision, Touchpoint touchpoint) => new(
        decision.Purpose, decision.Channel, decision.Granted, touchpoint.OccurredAt.ToUniversalTime(), touchpoint.Id, touchpoint.Channel,
        decision.Document, decision.ExpiresAt?.ToUniversalTime());

    /// <summary>The (purpose, channel) the decision decides; every channel is the empty channel.</summary>
    public string DecidedKey => KeyOf(Purpose, Channel);

    /// <summary>What the decision history keeps the earliest and latest of: (purpose, channel, status, document).</summary>
    public string HistoryKey => $"{DecidedKey}\u001f{(Granted ? 'g' : 'd')}\u001f{Document}";

    public static string KeyOf(string purpose, string? channel) => $"{purpose}\u001f{channel}";

    /// <summary>True when this is a grant whose expiry has come by <paramref name="now"/>: it counts as a denial dated at
    /// its expiry.</summary>
    public bool ExpiredBy(DateTimeOffset now) => Granted && ExpiresAt is { } expiry && expiry <= now;

    /// <summary>Whether this decision comes after <paramref name="other"/> by the rule of the effective status, as of
    /// <paramref name="now"/>: the later date (an expired grant dated at its expiry), then a decision for the channel itself
    /// over one for every channel, then a denial over a grant, then the greater touchpoint id. The remaining fields only
    /// make the order total (one touchpoint may carry two decisions for one channel).</summary>
    public bool ComesAfter(ConsentRecord other, DateTimeOffset now)
    {
        var (mine, theirs) = (Effective(now), other.Effective(now));
        var order = mine.At.CompareTo(theirs.At);
        if (order == 0) order = (Channel is not null).CompareTo(other.Channel is not null);
        if (order == 0) order = theirs.Granted.CompareTo(mine.Granted);
        if (order == 0) order = CompareTo(other);
        return order > 0;
    }

    /// <summary>The status this decision gives as of <paramref name="now"/>, and the date it counts with.</summary>
    public (DateTimeOffset At, bool Granted) Effective(DateTimeOffset now) => ExpiredBy(now) ? (ExpiresAt!.Value, false) : (At, Granted);

    /// <summary>A total order by (time, touchpoint id), then every other field: the history's earliest and latest, and the
    /// fold's sorted lists.</summary>
    public int CompareTo(ConsentRecord? other)
    {
        if (other is null) return 1;
        var order = At.CompareTo(other.At);
        if (order == 0) order = string.CompareOrdinal(TouchpointId, other.TouchpointId);
        if (order == 0) order = string.CompareOrdinal(Purpose, other.Purpose);
        if (order == 0) order = string.CompareOrdinal(Channel, other.Channel);
        if (order == 0) order = Granted.CompareTo(other.Granted);
        if (order == 0) order = string.CompareOrdinal(Document, other.Document);
        if (order == 0) order = Nullable.Compare(ExpiresAt, other.ExpiresAt);
        if (order == 0) order = string.CompareOrdinal(ChannelOfTouchpoint, other.ChannelOfTouchpoint);
        return order;
    }
}
