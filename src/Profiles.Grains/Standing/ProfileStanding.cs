using System.Text;
using Profiles.Core.Consent;
using Profiles.Core.Personalisation;
using Profiles.Core.Profiles;
using Profiles.Core.Touchpoints;

namespace Profiles.Grains.Standing;

/// <summary>
/// What one surviving profile contributes to the cluster-wide figures: whether it is identified, its touchpoints
/// per channel, the audiences it belongs to, and the consent statuses its decisions give. A profile reports its whole
/// standing after each change, and
/// the store keeps the last report per profile and adds the difference to per-shard counters and indexes, so a
/// report repeated after a crash changes nothing and a missed one is repaired by the next. A merged-away or
/// erased profile reports none.
/// </summary>
/// <param name="Identified">Holds an identifier of a type other than <see cref="AnonymousIdentifiers.Types"/>.</param>
/// <param name="Channels">Touchpoints per channel.</param>
/// <param name="Audiences">The audiences it belongs to now.</param>
/// <param name="RecheckAt">The first moment its audiences or consent may change with time alone (a window moving past a
/// touchpoint at UTC midnight, a grant expiring); null when only a new touchpoint can change them. Kept in an index, not
/// in the figures.</param>
/// <param name="AnonymousLastSeen">When a profile that is not identified was last seen; null for an identified one.
/// Kept in an index, not in the figures, for the retention of anonymous profiles.</param>
public sealed record ProfileStanding(bool Identified, IReadOnlyDictionary<string, long> Channels, IReadOnlyList<string> Audiences, DateTimeOffset? RecheckAt = null,
    DateTimeOffset? AnonymousLastSeen = null)
{
    private static readonly IReadOnlyDictionary<string, bool> NoConsent = new Dictionary<string, bool>(StringComparer.Ordinal);

    /// <summary>The standing of a profile that holds nothing yet.</summary>
    public static readonly ProfileStanding Empty = new(false, new Dictionary<string, long>(StringComparer.Ordinal), []);

    /// <summary>The consent statuses the profile's decisions give (not its defaults, which it announces nothing
    /// about): per purpose (key <c>purpose</c>) when a decision gives the purpose-wide status, and per channel with
    /// decisions of its own (key <c>purpose/channel</c>); true for granted. What the feed's <c>consent</c> changes and the
    /// consent counts of the statistics follow.</summary>
    public IReadOnlyDictionary<string, bool> Consent { get; init; } = NoConsent;

    /// <summary>The key of <see cref="Consent"/> for a purpose (<paramref name="channel"/> null) or one of its channels.</summary>
    public static string ConsentKey(string purpose, string? channel) => channel is null ? purpose : $"{purpose}/{channel}";

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
        // Decided and granted, not granted alone: profiles without a decision count by the purpose's default when the
        // figures are read, so changing a default needs no recount.
        foreach (var (purpose, granted) in Consent.Where(c => !c.Key.Contains('/', StringComparison.Ordinal)))
        {
            yield return KeyValuePair.Create($"consent:{purpose}:d", 1L);
            yield return KeyValuePair.Create($"consent:{purpose}:g", granted ? 1L : 0);
        }
    }

    /// <param name="values">The profile's audiences and consent, evaluated now.</param>
    public static ProfileStanding Of(ProfileContent content, PersonalisedValues values, DateTimeOffset? recheckAt)
    {
        var identified = content.Identifiers.Values.Any(i => !AnonymousIdentifiers.Types.Contains(i.Type));
        return new(identified, content.Channels.ToDictionary(c => c.Key, c => c.Value.Touchpoints, StringComparer.Ordinal), values.Audiences, recheckAt,
            identified ? null : content.LastSeen)
        {
            Consent = DecidedConsent(values.Consent),
        };
    }

    private static Dictionary<string, bool> DecidedConsent(IEnumerable<PurposeConsent> consent)
    {
        var decided = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var purpose in consent)
        {
            if (purpose.Decided) decided[ConsentKey(purpose.Purpose, null)] = purpose.Granted;
            foreach (var (channel, granted) in purpose.Channels) decided[ConsentKey(purpose.Purpose, channel)] = granted;
        }
        return decided;
    }

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
        other is not null && Encode() == other.Encode() && RecheckAt == other.RecheckAt && AnonymousLastSeen == other.AnonymousLastSeen;

    /// <summary>
    /// The compact text the stores keep and compare: <c>FLAGS|channel=n,...|audience,...</c>, FLAGS three digits
    /// (identified, online, offline), then <c>|purpose=1,purpose/channel=0,...</c> when the profile has consent
    /// decisions. Channel, audience and purpose names never contain the separators, and every list is in ordinal
    /// order, so equal standings encode equally; a standing stored before consent existed reads as one without any.
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
        if (Consent.Count > 0)
        {
            text.Append('|').AppendJoin(',', Consent.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={(c.Value ? '1' : '0')}"));
        }
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
        return new ProfileStanding(parts[0][0] == '1', channels, parts[2].Length == 0 ? [] : parts[2].Split(','))
        {
            Consent = parts.Length < 4 ? NoConsent : parts[3].Split(',').Select(c => c.Split('=')).ToDictionary(c => c[0], c => c[1] == "1", StringComparer.Ordinal),
        };
    }
}
