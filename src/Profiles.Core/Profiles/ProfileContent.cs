using System.Collections.ObjectModel;
using Orleans;
using Profiles.Core.Consent;
using Profiles.Core.Personalisation;
using Profiles.Core.Touchpoints;

namespace Profiles.Core.Profiles;

/// <summary>
/// What a profile knows, as a fold over its touchpoints. Every field combines by a commutative, associative
/// rule (min/max, sum over disjoint sets, last-write-wins by (occurredAt, id)), so the same set of touchpoints
/// gives the same content whatever the order of arrival and whatever tree of merges it went through.
/// Times are kept in UTC so two spellings of one instant cannot make the result depend on order.
/// </summary>
public sealed class ProfileContent
{
    public Dictionary<string, IdentifierActivity> Identifiers { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Removed traits stay as entries with a null value, so an older write arriving later cannot revive them.</summary>
    public Dictionary<string, TraitEntry> Traits { get; set; } = new(StringComparer.Ordinal);

    public Dictionary<string, ChannelActivity> Channels { get; set; } = new(StringComparer.Ordinal);

    // Refused links, last links and corrections are empty in most profiles, and an active profile stays in memory for
    // minutes: their maps are made on the first entry, so an empty one costs a null reference, not a dictionary.
    private Dictionary<string, RefusedLink>? _refusedLinks;
    private Dictionary<string, LinkMark>? _lastLinks;
    private Dictionary<string, CorrectionMark>? _corrections;
    private ConsentLedger? _consent;

    /// <summary>Links identity rules refused, keyed by touchpoint and identifier so each is recorded once.</summary>
    public IReadOnlyDictionary<string, RefusedLink> RefusedLinks { get => OrEmpty(_refusedLinks); init => _refusedLinks = CopyOrNull(value); }

    public long Touchpoints { get; set; }

    public DateTimeOffset? FirstSeen { get; set; }

    public DateTimeOffset? LastSeen { get; set; }

    /// <summary>The computed traits' accumulators, keyed by <see cref="ComputedTraitDefinition.StateKey"/>.</summary>
    public Dictionary<string, TraitAccumulator> Computed { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The state keys whose accumulators cover every touchpoint of this content, sorted. A trait configured
    /// after some touchpoints were folded is missing here, so its profile knows to fold its journey again; null for
    /// content stored before computed traits existed (it covers nothing).</summary>
    public string[]? ComputedCoverage { get; set; }

    /// <summary>Per type of a link's weaker end, the last link made in this profile by (time, touchpoint id, key):
    /// with the identity rules' priorities, the last link made in link order, which says whether a refusal
    /// can be trusted as canonical (docs/ARCHITECTURE.md, "Canonical resolution").</summary>
    public IReadOnlyDictionary<string, LinkMark> LastLinks { get => OrEmpty(_lastLinks); init => _lastLinks = CopyOrNull(value); }

    /// <summary>Operators' unlinks and relinks seen in the profile's touchpoints, by pair of identifier keys: the
    /// latest of a pair stands. A profile holding both ends of a standing unlink (two profiles merged by a touchpoint
    /// naming both) must be resolved again, which parts them.</summary>
    public IReadOnlyDictionary<string, CorrectionMark> Corrections { get => OrEmpty(_corrections); init => _corrections = CopyOrNull(value); }

    /// <summary>The consent decisions of the profile's touchpoints (<see cref="ConsentLedger"/>); null while it has none,
    /// which is most profiles.</summary>
    public ConsentLedger? Consent { get => _consent; init => _consent = value is { IsEmpty: false } ? value : null; }

    public bool IsEmpty => Touchpoints == 0;

    /// <summary>True when the profile holds both identifiers of an unlink that stands. Asked on every call to a profile,
    /// so the usual empty case allocates nothing.</summary>
    public bool HoldsUnlinkedPair => _corrections is not null && _corrections.Values.Any(c => c.Unlinks && Identifiers.ContainsKey(c.KeyA) && Identifiers.ContainsKey(c.KeyB));

    // Derived from Identifiers, for the identity rules' limits; rebuilt on demand, never stored.
    private Dictionary<string, int>? _countByType;

    /// <summary>How many distinct identifiers of this type the profile holds.</summary>
    public int CountOf(string type)
    {
        _countByType ??= Identifiers.Values.GroupBy(i => i.Type).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return _countByType.GetValueOrDefault(type);
    }

    /// <param name="computed">The computed traits to fold the touchpoint into; none when null.</param>
    public void Add(Touchpoint touchpoint, ComputedTraits? computed = null)
    {
        // An operator's unlink or relink is kept in the journey, but links nothing and counts in no figure.
        if (Resolution.OperatorEntry.Is(touchpoint))
        {
            if (CorrectionMark.Of(touchpoint) is { } correction) Combine(ref _corrections, correction.Pair, correction);
            return;
        }
        var at = touchpoint.OccurredAt.ToUniversalTime();
        AddLinks(touchpoint, at);
        // Retention kept only what its links need; its figures and consent are in its anchor's removed content.
        if (touchpoint.ContentRemoved) return;
        var traits = computed ?? ComputedTraits.None;
        ComputedCoverage = IsEmpty ? traits.StateKeys : traits.Intersect(ComputedCoverage);
        if (touchpoint.Consent.Count > 0) (_consent ??= new()).Add(touchpoint);
        foreach (var trait in touchpoint.Traits)
        {
            Combine(Traits, trait.Name, new TraitEntry(trait.ValueJson, at, touchpoint.Id));
        }
        Combine(Channels, touchpoint.Channel, new ChannelActivity(1, at, at));
        Touchpoints++;
        FirstSeen = Earliest(FirstSeen, at);
        LastSeen = Latest(LastSeen, at);
        traits.Add(Computed, touchpoint);
    }

    /// <summary>What a touchpoint's identifiers give the profile: their first and last seen, the links it made and
    /// the links it was refused.</summary>
    private void AddLinks(Touchpoint touchpoint, DateTimeOffset at)
    {
        foreach (var identifier in touchpoint.Identifiers)
        {
            if (_countByType is not null && !Identifiers.ContainsKey(identifier.Key))
            {
                _countByType[identifier.Type] = _countByType.GetValueOrDefault(identifier.Type) + 1;
            }
            Combine(Identifiers, identifier.Key, new IdentifierActivity(identifier.Type, identifier.Hint, identifier.FromHash, at, at));
        }
        for (var i = 1; i < touchpoint.Identifiers.Count; i++)
        {
            // The touchpoint's identifiers come strongest first: each links the first one to itself, the weaker end.
            var other = touchpoint.Identifiers[i];
            Combine(ref _lastLinks, other.Type, new LinkMark(at.UtcTicks, touchpoint.Id, other.Key));
        }
        foreach (var refused in touchpoint.RefusedLinks) AddRefusedLink(refused);
    }

    /// <summary>Takes in the content of another profile. The two must hold disjoint touchpoints (the merge
    /// protocol absorbs each profile once), since counts add up.</summary>
    public void Merge(ProfileContent other)
    {
        _countByType = null;
        if (!other.IsEmpty) ComputedCoverage = IsEmpty ? other.ComputedCoverage : Intersection(ComputedCoverage, other.ComputedCoverage);
        foreach (var (key, value) in other.Identifiers) Combine(Identifiers, key, value);
        foreach (var refused in other.RefusedLinks.Values) AddRefusedLink(refused);
        foreach (var (type, mark) in other.LastLinks) Combine(ref _lastLinks, type, mark);
        foreach (var (pair, correction) in other.Corrections) Combine(ref _corrections, pair, correction);
        if (other._consent is { } consent) (_consent ??= new()).Merge(consent);
        foreach (var (key, value) in other.Traits) Combine(Traits, key, value);
        foreach (var (key, value) in other.Channels) Combine(Channels, key, value);
        Touchpoints += other.Touchpoints;
        if (other.FirstSeen is { } first) FirstSeen = Earliest(FirstSeen, first);
        if (other.LastSeen is { } last) LastSeen = Latest(LastSeen, last);
        foreach (var (key, accumulator) in other.Computed)
        {
            if (Computed.TryGetValue(key, out var mine)) mine.Merge(accumulator);
            else Computed[key] = accumulator.Copy();
        }
    }

    private static string[]? Intersection(string[]? mine, string[]? theirs) =>
        mine is null || theirs is null ? null
        : ReferenceEquals(mine, theirs) ? mine
        : [.. mine.Where(key => theirs.Contains(key, StringComparer.Ordinal))];

    public void AddRefusedLink(RefusedLink refused) => (_refusedLinks ??= new(StringComparer.Ordinal)).TryAdd($"{refused.TouchpointId}|{refused.Key}", refused);

    /// <summary>An independent copy of what a profile answer shows; the entries themselves are immutable records, so
    /// copying the maps suffices. The computed traits' accumulators stay out: reads get their values evaluated in
    /// the grain (<see cref="Personalisation.Personalisation.Evaluate"/>), which is cheaper than copying day buckets.
    /// The consent ledger comes along for the decision history.</summary>
    public ProfileContent CopyForReading() => new()
    {
        Identifiers = new(Identifiers, StringComparer.Ordinal),
        Traits = new(Traits, StringComparer.Ordinal),
        Channels = new(Channels, StringComparer.Ordinal),
        RefusedLinks = RefusedLinks,
        Touchpoints = Touchpoints,
        FirstSeen = FirstSeen,
        LastSeen = LastSeen,
        Consent = _consent?.Copy(),
    };

    /// <summary>The traits a client sees: removed ones left out, in name order.</summary>
    public IEnumerable<KeyValuePair<string, string>> CurrentTraits() =>
        Traits.Where(t => t.Value.ValueJson is not null)
              .OrderBy(t => t.Key, StringComparer.Ordinal)
              .Select(t => KeyValuePair.Create(t.Key, t.Value.ValueJson!));

    private static void Combine<T>(Dictionary<string, T> into, string key, T value) where T : ICombinable<T>
    {
        into[key] = into.TryGetValue(key, out var existing) ? existing.CombineWith(value) : value;
    }

    private static void Combine<T>(ref Dictionary<string, T>? into, string key, T value) where T : ICombinable<T> =>
        Combine(into ??= new(StringComparer.Ordinal), key, value);

    private static IReadOnlyDictionary<string, T> OrEmpty<T>(Dictionary<string, T>? map) =>
        map is null ? ReadOnlyDictionary<string, T>.Empty : map;

    private static Dictionary<string, T>? CopyOrNull<T>(IReadOnlyDictionary<string, T> map) =>
        map.Count == 0 ? null : new(map, StringComparer.Ordinal);

    private static DateTimeOffset Earliest(DateTimeOffset? current, DateTimeOffset candidate) =>
        current is { } c && c <= candidate ? c : candidate;

    private static DateTimeOffset Latest(DateTimeOffset? current, DateTimeOffset candidate) =>
        current is { } c && c >= candidate ? c : candidate;
}

/// <summary>A commutative, associative combination of two observations of the same thing.</summary>
public interface ICombinable<T>
{
    T CombineWith(T other);
}

/// <param name="FromHash">True when every sighting came as a bare SHA-256, so the hint shows nothing.</param>
[GenerateSerializer, Immutable, Alias("IdentifierActivity")]
public sealed record IdentifierActivity(string Type, string Hint, bool FromHash, DateTimeOffset FirstSeen, DateTimeOffset LastSeen)
    : ICombinable<IdentifierActivity>
{
    public IdentifierActivity CombineWith(IdentifierActivity other)
    {
        // A hint from a clear value beats the placeholder of a hashed one; equal kinds carry equal hints
        // (same normalised value), and the ordinal max only keeps the choice independent of order.
        var (hint, fromHash) = (FromHash, other.FromHash) switch
        {
            (true, false) => (other.Hint, false),
            (false, true) => (Hint, false),
            _ => (string.CompareOrdinal(Hint, other.Hint) >= 0 ? Hint : other.Hint, FromHash),
        };
        return new IdentifierActivity(Type, hint, fromHash,
            FirstSeen <= other.FirstSeen ? FirstSeen : other.FirstSeen,
            LastSeen >= other.LastSeen ? LastSeen : other.LastSeen);
    }
}

/// <summary>The latest write of one trait, by (occurredAt, touchpoint id); a null value is a removal.</summary>
[GenerateSerializer, Immutable, Alias("TraitEntry")]
public sealed record TraitEntry(string? ValueJson, DateTimeOffset At, string TouchpointId) : ICombinable<TraitEntry>
{
    public TraitEntry CombineWith(TraitEntry other)
    {
        var order = At.CompareTo(other.At);
        if (order == 0) order = string.CompareOrdinal(TouchpointId, other.TouchpointId);
        if (order == 0) order = string.CompareOrdinal(ValueJson, other.ValueJson);
        return order >= 0 ? this : other;
    }
}

/// <summary>An operator's unlink (or relink) of two identifier keys, by its entry's time (UTC ticks) and id; later is
/// larger, and the later of two entries on one pair stands.</summary>
[GenerateSerializer, Immutable, Alias("CorrectionMark")]
public sealed record CorrectionMark(bool Unlinks, long UtcTicks, string EntryId, string KeyA, string KeyB) : ICombinable<CorrectionMark>
{
    public string Pair => $"{KeyA}|{KeyB}";

    /// <summary>The correction an operator entry records; null for an entry that does not name two identifiers.</summary>
    public static CorrectionMark? Of(Touchpoint entry)
    {
        if (entry.Identifiers.Count != 2) return null;
        var (a, b) = Resolution.OperatorEntry.Pair(entry.Identifiers[0].Key, entry.Identifiers[1].Key);
        return new CorrectionMark(entry.Type == Resolution.OperatorEntry.Unlink, entry.OccurredAt.UtcTicks, entry.Id, a, b);
    }

    public CorrectionMark CombineWith(CorrectionMark other)
    {
        var order = UtcTicks.CompareTo(other.UtcTicks);
        if (order == 0) order = string.CompareOrdinal(EntryId, other.EntryId);
        return order >= 0 ? this : other;
    }
}

/// <summary>A link made: its touchpoint's time (UTC ticks) and id, and the key of its weaker end; later is larger.</summary>
[GenerateSerializer, Immutable, Alias("LinkMark")]
public sealed record LinkMark(long UtcTicks, string TouchpointId, string OtherKey) : ICombinable<LinkMark>, IComparable<LinkMark>
{
    public int CompareTo(LinkMark? other)
    {
        if (other is null) return 1;
        var order = UtcTicks.CompareTo(other.UtcTicks);
        if (order == 0) order = string.CompareOrdinal(TouchpointId, other.TouchpointId);
        return order != 0 ? order : string.CompareOrdinal(OtherKey, other.OtherKey);
    }

    public LinkMark CombineWith(LinkMark other) => CompareTo(other) >= 0 ? this : other;
}

[GenerateSerializer, Immutable, Alias("ChannelActivity")]
public sealed record ChannelActivity(long Touchpoints, DateTimeOffset FirstSeen, DateTimeOffset LastSeen) : ICombinable<ChannelActivity>
{
    public ChannelActivity CombineWith(ChannelActivity other) => new(
        Touchpoints + other.Touchpoints,
        FirstSeen <= other.FirstSeen ? FirstSeen : other.FirstSeen,
        LastSeen >= other.LastSeen ? LastSeen : other.LastSeen);
}
