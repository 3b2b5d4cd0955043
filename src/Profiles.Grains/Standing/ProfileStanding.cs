using System.Text;
using Profiles.Core.Personalisation;
using Profiles.Core.Profiles;
using Profiles.Core.Touchpoints;

namespace Profiles.Grains.Standing;

/// <summary>
/// What one surviving profile contributes to the cluster-wide figures: whether it is identified, its touchpoints
/// per channel, and the audiences it belongs to. A profile reports its whole standing after each change, and
/// the store keeps the last report per profile and adds the difference to per-shard counters and indexes, so a
/// report repeated after a crash changes nothing and a missed one is repaired by the next. A merged-away or
/// erased profile reports none.
/// </summary>
/// <param name="Identified">Holds an identifier of a type other than <see cref="AnonymousIdentifiers.Types"/>.</param>
/// <param name="Channels">Touchpoints per channel.</param>
/// <param name="Audiences">The audiences it belongs to today.</param>
/// <param name="RecheckOn">The first day its audiences may change with the date alone (a window moving past a
/// touchpoint); null when only a new touchpoint can change them. Kept in an index, not in the figures.</param>
/// <param name="AnonymousLastSeen">When a profile that is not identified was last seen; null for an identified one.
/// Kept in an index, not in the figures, for the retention of anonymous profiles.</param>
public sealed record ProfileStanding(bool Identified, IReadOnlyDictionary<string, long> Channels, IReadOnlyList<string> Audiences, DateOnly? RecheckOn = null,
    DateTimeOffset? AnonymousLastSeen = null)
{
    /// <summary>The standing of a profile that holds nothing yet.</summary>
    public static readonly ProfileStanding Empty = new(false, new Dictionary<string, long>(StringComparer.Ordinal), []);

    public bool Online => Channels.Any(c => c.Value > 0 && ChannelKinds.IsOnline(c.Key));

    public bool Offline => Channels.Any(c => c.Value > 0 && ChannelKinds.IsOffline(c.Key));

    public long Touchpoints => Channels.Values.Sum();

    /// <summary>The counters every standing adds to, whatever its channels.</summary>
    public static readonly IReadOnlyList<string> FixedCounters = ["profiles", "identified", "online", "offline", "omnichannel", "touchpoints"];

    /// <summary>What this standing adds to its shard's counters, by the counter names
    /// <see cref="StandingTotals.From"/> reads: the store adds the difference between two standings, and a recount
    /// adds up every stored one.</summary>
    public IEnumerable<KeyValuePair<string, long>> Counters()
    {
        yield return KeyValuePair.Create("profiles", 1L);
        yield return KeyValuePair.Create("identified", Identified ? 1L : 0);
        yield return KeyValuePair.Create("online", Online ? 1L : 0);
        yield return KeyValuePair.Create("offline", Offline ? 1L : 0);
        yield return KeyValuePair.Create("omnichannel", Online && Offline ? 1L : 0);
        yield return KeyValuePair.Create("touchpoints", Touchpoints);
        foreach (var (channel, count) in Channels.Where(c => c.Value > 0))
        {
            yield return KeyValuePair.Create($"c:{channel}:t", count);
            yield return KeyValuePair.Create($"c:{channel}:p", 1L);
        }
    }

    public static ProfileStanding Of(ProfileContent content, IReadOnlyList<string> audiences, DateOnly? recheckOn)
    {
        var identified = content.Identifiers.Values.Any(i => !AnonymousIdentifiers.Types.Contains(i.Type));
        return new(identified, content.Channels.ToDictionary(c => c.Key, c => c.Value.Touchpoints, StringComparer.Ordinal), audiences, recheckOn,
            identified ? null : content.LastSeen);
    }

    /// <summary>The day number a store indexes <see cref="RecheckOn"/> by; empty for none.</summary>
    public string RecheckDay => RecheckOn is { } day ? day.DayNumber.ToString(System.Globalization.CultureInfo.InvariantCulture) : "";

    /// <summary>The standing a profile will have once these touchpoints are folded in, before its audiences are
    /// evaluated again: what a journey append can report in the same atomic write, when every one is new.</summary>
    public ProfileStanding With(IEnumerable<Core.Touchpoints.Touchpoint> touchpoints)
    {
        var identified = Identified;
        var lastSeen = AnonymousLastSeen;
        var channels = new Dictionary<string, long>(Channels, StringComparer.Ordinal);
        foreach (var touchpoint in touchpoints)
        {
            channels[touchpoint.Channel] = channels.GetValueOrDefault(touchpoint.Channel) + 1;
            identified |= touchpoint.Identifiers.Any(i => !AnonymousIdentifiers.Types.Contains(i.Type));
            var at = touchpoint.OccurredAt.ToUniversalTime();
            if (lastSeen is null || at > lastSeen) lastSeen = at;
        }
        return this with { Identified = identified, Channels = channels, AnonymousLastSeen = identified ? null : lastSeen };
    }

    public bool SameAs(ProfileStanding? other) =>
        other is not null && Encode() == other.Encode() && RecheckOn == other.RecheckOn && AnonymousLastSeen == other.AnonymousLastSeen;

    /// <summary>
    /// The compact text the stores keep and compare: <c>FLAGS|channel=n,...|audience,...</c>, FLAGS three digits
    /// (identified, online, offline). Channel and audience names never contain the separators, and both lists
    /// are in ordinal order, so equal standings encode equally.
    /// </summary>
    public string Encode()
    {
        var text = new StringBuilder();
        text.Append(Identified ? '1' : '0').Append(Online ? '1' : '0').Append(Offline ? '1' : '0').Append('|');
        var first = true;
        foreach (var (channel, count) in Channels.Where(c => c.Value > 0).OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            if (!first) text.Append(',');
            text.Append(channel).Append('=').Append(count);
            first = false;
        }
        text.Append('|').AppendJoin(',', Audiences.Order(StringComparer.Ordinal));
        return text.ToString();
    }

    /// <summary>A standing as a store keeps it: empty for none.</summary>
    public static ProfileStanding? DecodeStored(string stored) => stored.Length == 0 ? null : Decode(stored);

    public static ProfileStanding Decode(string text)
    {
        var parts = text.Split('|');
        var channels = parts[1].Length == 0
            ? new Dictionary<string, long>(StringComparer.Ordinal)
            : parts[1].Split(',').Select(c => c.Split('=')).ToDictionary(c => c[0], c => long.Parse(c[1]), StringComparer.Ordinal);
        return new ProfileStanding(parts[0][0] == '1', channels, parts[2].Length == 0 ? [] : parts[2].Split(','));
    }
}
