using Profiles.Core.Consent;
using Profiles.Core.Personalisation;
using Profiles.Core.Profiles;
using Profiles.Core.Rules;
using Profiles.Core.Touchpoints;

namespace Profiles.Grains.Serialization;

// Profiles.Core stays free of Orleans, so its types cross grain boundaries and reach grain storage through
// these surrogates: Orleans' own compact binary format, with no type names on the wire.

[GenerateSerializer, Alias("Touchpoint")]
public struct TouchpointSurrogate
{
    [Id(0)] public string Id;
    [Id(1)] public DateTimeOffset OccurredAt;
    [Id(2)] public string Channel;
    [Id(3)] public string Type;
    [Id(4)] public IdentifierRef[] Identifiers;
    [Id(5)] public TraitWrite[] Traits;
    [Id(6)] public string? PropertiesJson;
    [Id(7)] public RefusedLink[]? RefusedLinks;
    [Id(8)] public ConsentDecision[]? Consent;
}

[RegisterConverter]
public sealed class TouchpointConverter : IConverter<Touchpoint, TouchpointSurrogate>
{
    public Touchpoint ConvertFromSurrogate(in TouchpointSurrogate s) =>
        new(s.Id, s.OccurredAt, s.Channel, s.Type, s.Identifiers, s.Traits, s.PropertiesJson) { RefusedLinks = s.RefusedLinks ?? [], Consent = s.Consent ?? [] };

    public TouchpointSurrogate ConvertToSurrogate(in Touchpoint t) => new()
    {
        Id = t.Id, OccurredAt = t.OccurredAt, Channel = t.Channel, Type = t.Type,
        Identifiers = [.. t.Identifiers], Traits = [.. t.Traits], PropertiesJson = t.PropertiesJson,
        RefusedLinks = t.RefusedLinks.Count == 0 ? null : [.. t.RefusedLinks],
        Consent = t.Consent.Count == 0 ? null : [.. t.Consent],
    };
}

[GenerateSerializer, Alias("IdentifierRef")]
public struct IdentifierRefSurrogate
{
    [Id(0)] public string Type;
    [Id(1)] public string Key;
    [Id(2)] public string Hint;
    [Id(3)] public bool FromHash;
}

[RegisterConverter]
public sealed class IdentifierRefConverter : IConverter<IdentifierRef, IdentifierRefSurrogate>
{
    public IdentifierRef ConvertFromSurrogate(in IdentifierRefSurrogate s) => new(s.Type, s.Key, s.Hint, s.FromHash);

    public IdentifierRefSurrogate ConvertToSurrogate(in IdentifierRef i) => new() { Type = i.Type, Key = i.Key, Hint = i.Hint, FromHash = i.FromHash };
}

[GenerateSerializer, Alias("TraitWrite")]
public struct TraitWriteSurrogate
{
    [Id(0)] public string Name;
    [Id(1)] public string? ValueJson;
}

[RegisterConverter]
public sealed class TraitWriteConverter : IConverter<TraitWrite, TraitWriteSurrogate>
{
    public TraitWrite ConvertFromSurrogate(in TraitWriteSurrogate s) => new(s.Name, s.ValueJson);

    public TraitWriteSurrogate ConvertToSurrogate(in TraitWrite t) => new() { Name = t.Name, ValueJson = t.ValueJson };
}

[GenerateSerializer, Alias("ProfileContent")]
public struct ProfileContentSurrogate
{
    [Id(0)] public Dictionary<string, IdentifierActivity> Identifiers;
    [Id(1)] public Dictionary<string, TraitEntry> Traits;
    [Id(2)] public Dictionary<string, ChannelActivity> Channels;
    [Id(3)] public long Touchpoints;
    [Id(4)] public DateTimeOffset? FirstSeen;
    [Id(5)] public DateTimeOffset? LastSeen;
    [Id(6)] public Dictionary<string, RefusedLink>? RefusedLinks;
    [Id(7)] public Dictionary<string, TraitAccumulator>? Computed;
    [Id(8)] public string[]? ComputedCoverage;
    [Id(9)] public Dictionary<string, LinkMark>? LastLinks;
    [Id(10)] public Dictionary<string, CorrectionMark>? Corrections;
    [Id(11)] public ConsentLedger? Consent;
}

[RegisterConverter]
public sealed class ProfileContentConverter : IConverter<ProfileContent, ProfileContentSurrogate>
{
    public ProfileContent ConvertFromSurrogate(in ProfileContentSurrogate s) => new()
    {
        Identifiers = new(s.Identifiers, StringComparer.Ordinal),
        Traits = new(s.Traits, StringComparer.Ordinal),
        Channels = new(s.Channels, StringComparer.Ordinal),
        RefusedLinks = s.RefusedLinks ?? [],
        Touchpoints = s.Touchpoints,
        FirstSeen = s.FirstSeen,
        LastSeen = s.LastSeen,
        Computed = s.Computed is null ? new(StringComparer.Ordinal) : new(s.Computed, StringComparer.Ordinal),
        ComputedCoverage = s.ComputedCoverage,
        LastLinks = s.LastLinks ?? [],
        Corrections = s.Corrections ?? [],
        Consent = s.Consent,
    };

    public ProfileContentSurrogate ConvertToSurrogate(in ProfileContent c) => new()
    {
        Identifiers = c.Identifiers, Traits = c.Traits, Channels = c.Channels,
        RefusedLinks = NullIfEmpty(c.RefusedLinks),
        Touchpoints = c.Touchpoints, FirstSeen = c.FirstSeen, LastSeen = c.LastSeen,
        Computed = c.Computed.Count == 0 ? null : c.Computed,
        ComputedCoverage = c.ComputedCoverage,
        LastLinks = NullIfEmpty(c.LastLinks),
        Corrections = NullIfEmpty(c.Corrections),
        Consent = c.Consent,
    };

    // The wire keeps the shape main wrote (a dictionary, null when empty), so snapshots read both ways.
    private static Dictionary<string, T>? NullIfEmpty<T>(IReadOnlyDictionary<string, T> map) =>
        map.Count == 0 ? null : new(map, StringComparer.Ordinal);
}

[GenerateSerializer, Alias("IdentifierActivity")]
public struct IdentifierActivitySurrogate
{
    [Id(0)] public string Type;
    [Id(1)] public string Hint;
    [Id(2)] public bool FromHash;
    [Id(3)] public DateTimeOffset FirstSeen;
    [Id(4)] public DateTimeOffset LastSeen;
}

[RegisterConverter]
public sealed class IdentifierActivityConverter : IConverter<IdentifierActivity, IdentifierActivitySurrogate>
{
    public IdentifierActivity ConvertFromSurrogate(in IdentifierActivitySurrogate s) => new(s.Type, s.Hint, s.FromHash, s.FirstSeen, s.LastSeen);

    public IdentifierActivitySurrogate ConvertToSurrogate(in IdentifierActivity a) =>
        new() { Type = a.Type, Hint = a.Hint, FromHash = a.FromHash, FirstSeen = a.FirstSeen, LastSeen = a.LastSeen };
}

[GenerateSerializer, Alias("TraitEntry")]
public struct TraitEntrySurrogate
{
    [Id(0)] public string? ValueJson;
    [Id(1)] public DateTimeOffset At;
    [Id(2)] public string TouchpointId;
}

[RegisterConverter]
public sealed class TraitEntryConverter : IConverter<TraitEntry, TraitEntrySurrogate>
{
    public TraitEntry ConvertFromSurrogate(in TraitEntrySurrogate s) => new(s.ValueJson, s.At, s.TouchpointId);

    public TraitEntrySurrogate ConvertToSurrogate(in TraitEntry t) => new() { ValueJson = t.ValueJson, At = t.At, TouchpointId = t.TouchpointId };
}

[GenerateSerializer, Alias("ChannelActivity")]
public struct ChannelActivitySurrogate
{
    [Id(0)] public long Touchpoints;
    [Id(1)] public DateTimeOffset FirstSeen;
    [Id(2)] public DateTimeOffset LastSeen;
}

[RegisterConverter]
public sealed class ChannelActivityConverter : IConverter<ChannelActivity, ChannelActivitySurrogate>
{
    public ChannelActivity ConvertFromSurrogate(in ChannelActivitySurrogate s) => new(s.Touchpoints, s.FirstSeen, s.LastSeen);

    public ChannelActivitySurrogate ConvertToSurrogate(in ChannelActivity c) => new() { Touchpoints = c.Touchpoints, FirstSeen = c.FirstSeen, LastSeen = c.LastSeen };
}

[GenerateSerializer, Alias("RefusedLink")]
public struct RefusedLinkSurrogate
{
    [Id(0)] public string Type;
    [Id(1)] public string Key;
    [Id(2)] public string Hint;
    [Id(3)] public string Reason;
    [Id(4)] public string TouchpointId;
    [Id(5)] public DateTimeOffset At;
}

[RegisterConverter]
public sealed class RefusedLinkConverter : IConverter<RefusedLink, RefusedLinkSurrogate>
{
    public RefusedLink ConvertFromSurrogate(in RefusedLinkSurrogate s) => new(s.Type, s.Key, s.Hint, s.Reason, s.TouchpointId, s.At);

    public RefusedLinkSurrogate ConvertToSurrogate(in RefusedLink r) =>
        new() { Type = r.Type, Key = r.Key, Hint = r.Hint, Reason = r.Reason, TouchpointId = r.TouchpointId, At = r.At };
}

[GenerateSerializer, Alias("LimitedKeys")]
public struct LimitedKeysSurrogate
{
    [Id(0)] public Dictionary<string, string[]> KeysByType;
}

[RegisterConverter]
public sealed class LimitedKeysConverter : IConverter<LimitedKeys, LimitedKeysSurrogate>
{
    public LimitedKeys ConvertFromSurrogate(in LimitedKeysSurrogate s) => new(s.KeysByType);

    public LimitedKeysSurrogate ConvertToSurrogate(in LimitedKeys k) => new() { KeysByType = new(k.KeysByType, StringComparer.Ordinal) };
}

/// <summary>
/// A computed trait's fold state in columns: one array per field over its tallies (the total, then the day
/// buckets in day order), with each value text stored once. A profile with daily activity holds hundreds of
/// day buckets, and an object per bucket costs ten times what its numbers do.
/// </summary>
[GenerateSerializer, Alias("TraitAccumulator")]
public struct TraitAccumulatorSurrogate
{
    // Core's enums cross as their numbers: Orleans generates no codec for a type of an assembly without Orleans.
    [Id(0)] public int Kind;
    [Id(1)] public bool HasTotal;
    [Id(2)] public int[]? Days;
    [Id(3)] public long[]? Counts;

    /// <summary>Null when no tally holds a number; else per tally how many did, and the one of their sum, min or
    /// max that the trait's kind reads (the others stay zero and are never read).</summary>
    [Id(4)] public long[]? Numbers;
    [Id(5)] public decimal[]? Sums;
    [Id(6)] public decimal[]? Mins;
    [Id(7)] public decimal[]? Maxes;

    /// <summary>Null when no tally holds a value table; else the tables' entries, tally after tally: how many
    /// entries each tally has, and for each entry its value (an index into <see cref="Texts"/>) and count.</summary>
    [Id(8)] public int[]? TableSizes;
    [Id(9)] public string[]? Texts;
    [Id(10)] public int[]? TextIndexes;
    [Id(11)] public long[]? ValueCounts;
    [Id(12)] public ValueAt? Extreme;
}

[RegisterConverter]
public sealed class TraitAccumulatorConverter : IConverter<TraitAccumulator, TraitAccumulatorSurrogate>
{
    public TraitAccumulator ConvertFromSurrogate(in TraitAccumulatorSurrogate s)
    {
        var accumulator = new TraitAccumulator((ComputedTraitKind)s.Kind) { Extreme = s.Extreme };
        var count = s.Counts?.Length ?? 0;
        var tallies = new Tally[count];
        var entry = 0;
        for (var i = 0; i < count; i++)
        {
            var tally = tallies[i] = new Tally { Count = s.Counts![i] };
            if (s.Numbers is { } numbers && numbers[i] > 0)
            {
                (tally.Numbers, tally.Sum, tally.Min, tally.Max) = (numbers[i], s.Sums?[i] ?? 0, s.Mins?[i] ?? 0, s.Maxes?[i] ?? 0);
            }
            if (s.TableSizes is { } sizes && sizes[i] > 0)
            {
                tally.Values = new();
                for (var end = entry + sizes[i]; entry < end; entry++) tally.Values.Counts.Add(s.Texts![s.TextIndexes![entry]], s.ValueCounts![entry]);
            }
        }
        var days = tallies.AsSpan(s.HasTotal ? 1 : 0);
        if (s.HasTotal) accumulator.Total = tallies[0];
        if (s.Days is { } dayNumbers)
        {
            accumulator.Days = new(dayNumbers.Length);
            for (var i = 0; i < dayNumbers.Length; i++) accumulator.Days.Set(dayNumbers[i], days[i]);
        }
        return accumulator;
    }

    // Runs for every snapshot write, about once per touchpoint while a profile is busy: loops, not LINQ.
    public TraitAccumulatorSurrogate ConvertToSurrogate(in TraitAccumulator a)
    {
        var surrogate = new TraitAccumulatorSurrogate { Kind = (int)a.Kind, HasTotal = a.Total is not null, Extreme = a.Extreme };
        var count = (a.Total is null ? 0 : 1) + (a.Days?.Count ?? 0);
        if (count == 0) return surrogate;
        var columns = new Columns(a.Kind, count);
        if (a.Total is not null) columns.Add(a.Total);
        if (a.Days is not null)
        {
            surrogate.Days = new int[a.Days.Count];
            var d = 0;
            foreach (var (day, tally) in a.Days)
            {
                surrogate.Days[d++] = day;
                columns.Add(tally);
            }
        }
        columns.WriteTo(ref surrogate);
        return surrogate;
    }

    /// <summary>The columns of one accumulator as they fill: only those its kind uses.</summary>
    private sealed class Columns(ComputedTraitKind kind, int tallies)
    {
        private readonly long[] _counts = new long[tallies];
        private readonly long[]? _numbers = kind is ComputedTraitKind.Sum or ComputedTraitKind.Min or ComputedTraitKind.Max ? new long[tallies] : null;
        private readonly decimal[]? _figures = kind is ComputedTraitKind.Sum or ComputedTraitKind.Min or ComputedTraitKind.Max ? new decimal[tallies] : null;
        private readonly int[]? _tableSizes = kind is ComputedTraitKind.Distinct or ComputedTraitKind.Top or ComputedTraitKind.Affinity ? new int[tallies] : null;
        private List<string>? _texts;
        private Dictionary<string, int>? _textIndex;
        private List<int>? _textIndexes;
        private List<long>? _valueCounts;
        private int _next;

        public void Add(Tally tally)
        {
            var i = _next++;
            _counts[i] = tally.Count;
            if (_numbers is not null)
            {
                _numbers[i] = tally.Numbers;
                _figures![i] = kind switch { ComputedTraitKind.Sum => tally.Sum, ComputedTraitKind.Min => tally.Min, _ => tally.Max };
            }
            if (_tableSizes is null || tally.Values is null) return;
            _tableSizes[i] = tally.Values.Counts.Count;
            (_texts, _textIndex, _textIndexes, _valueCounts) = (_texts ?? [], _textIndex ?? new(StringComparer.Ordinal), _textIndexes ?? [], _valueCounts ?? []);
            foreach (var (text, count) in tally.Values.Counts)
            {
                if (!_textIndex.TryGetValue(text, out var index))
                {
                    _textIndex[text] = index = _texts.Count;
                    _texts.Add(text);
                }
                _textIndexes.Add(index);
                _valueCounts.Add(count);
            }
        }

        public void WriteTo(ref TraitAccumulatorSurrogate surrogate)
        {
            surrogate.Counts = _counts;
            if (_numbers is not null && _numbers.AsSpan().ContainsAnyExcept(0))
            {
                surrogate.Numbers = _numbers;
                _ = kind switch
                {
                    ComputedTraitKind.Sum => surrogate.Sums = _figures,
                    ComputedTraitKind.Min => surrogate.Mins = _figures,
                    _ => surrogate.Maxes = _figures,
                };
            }
            if (_texts is null) return;
            (surrogate.TableSizes, surrogate.Texts, surrogate.TextIndexes, surrogate.ValueCounts) =
                (_tableSizes, [.. _texts], [.. _textIndexes!], [.. _valueCounts!]);
        }
    }
}

[GenerateSerializer, Alias("ValueAt")]
public struct ValueAtSurrogate
{
    [Id(0)] public DateTimeOffset At;
    [Id(1)] public string Id;
    [Id(2)] public string Json;
}

[RegisterConverter]
public sealed class ValueAtConverter : IConverter<ValueAt, ValueAtSurrogate>
{
    public ValueAt ConvertFromSurrogate(in ValueAtSurrogate s) => new(s.At, s.Id, s.Json);

    public ValueAtSurrogate ConvertToSurrogate(in ValueAt v) => new() { At = v.At, Id = v.Id, Json = v.Json };
}

[GenerateSerializer, Alias("ComputedValue")]
public struct ComputedValueSurrogate
{
    [Id(0)] public int Kind;
    [Id(1)] public decimal Number;
    [Id(2)] public string? Text;
    [Id(3)] public string[]? ScoredValues;
    [Id(4)] public decimal[]? Scores;
}

[RegisterConverter]
public sealed class ComputedValueConverter : IConverter<ComputedValue, ComputedValueSurrogate>
{
    public ComputedValue ConvertFromSurrogate(in ComputedValueSurrogate s) =>
        new((ComputedValueKind)s.Kind, s.Number, s.Text, s.ScoredValues?.Zip(s.Scores!, KeyValuePair.Create).ToArray());

    public ComputedValueSurrogate ConvertToSurrogate(in ComputedValue v) => new()
    {
        Kind = (int)v.Kind, Number = v.Number, Text = v.Text,
        ScoredValues = v.Scores?.Select(s => s.Key).ToArray(), Scores = v.Scores?.Select(s => s.Value).ToArray(),
    };
}

[GenerateSerializer, Alias("PersonalisedValues")]
public struct PersonalisedValuesSurrogate
{
    [Id(0)] public string[] Names;
    [Id(1)] public ComputedValue[] Computed;
    [Id(2)] public string[] Audiences;
    [Id(3)] public PurposeConsent[]? Consent;
}

[RegisterConverter]
public sealed class PersonalisedValuesConverter : IConverter<PersonalisedValues, PersonalisedValuesSurrogate>
{
    public PersonalisedValues ConvertFromSurrogate(in PersonalisedValuesSurrogate s) => new(s.Names, s.Computed, s.Audiences, s.Consent ?? []);

    public PersonalisedValuesSurrogate ConvertToSurrogate(in PersonalisedValues p) =>
        new() { Names = p.Names, Computed = p.Computed, Audiences = p.Audiences, Consent = p.Consent };
}

[GenerateSerializer, Alias("LinkMark")]
public struct LinkMarkSurrogate
{
    [Id(0)] public long UtcTicks;
    [Id(1)] public string TouchpointId;
    [Id(2)] public string OtherKey;
}

[RegisterConverter]
public sealed class LinkMarkConverter : IConverter<LinkMark, LinkMarkSurrogate>
{
    public LinkMark ConvertFromSurrogate(in LinkMarkSurrogate s) => new(s.UtcTicks, s.TouchpointId, s.OtherKey);

    public LinkMarkSurrogate ConvertToSurrogate(in LinkMark m) => new() { UtcTicks = m.UtcTicks, TouchpointId = m.TouchpointId, OtherKey = m.OtherKey };
}

[GenerateSerializer, Alias("CorrectionMark")]
public struct CorrectionMarkSurrogate
{
    [Id(0)] public bool Unlinks;
    [Id(1)] public long UtcTicks;
    [Id(2)] public string EntryId;
    [Id(3)] public string KeyA;
    [Id(4)] public string KeyB;
}

[RegisterConverter]
public sealed class CorrectionMarkConverter : IConverter<CorrectionMark, CorrectionMarkSurrogate>
{
    public CorrectionMark ConvertFromSurrogate(in CorrectionMarkSurrogate s) => new(s.Unlinks, s.UtcTicks, s.EntryId, s.KeyA, s.KeyB);

    public CorrectionMarkSurrogate ConvertToSurrogate(in CorrectionMark m) =>
        new() { Unlinks = m.Unlinks, UtcTicks = m.UtcTicks, EntryId = m.EntryId, KeyA = m.KeyA, KeyB = m.KeyB };
}

[GenerateSerializer, Alias("ConsentDecision")]
public struct ConsentDecisionSurrogate
{
    [Id(0)] public string Purpose;
    [Id(1)] public string? Channel;
    [Id(2)] public bool Granted;
    [Id(3)] public string? Document;
    [Id(4)] public DateTimeOffset? ExpiresAt;
}

[RegisterConverter]
public sealed class ConsentDecisionConverter : IConverter<ConsentDecision, ConsentDecisionSurrogate>
{
    public ConsentDecision ConvertFromSurrogate(in ConsentDecisionSurrogate s) => new(s.Purpose, s.Channel, s.Granted, s.Document, s.ExpiresAt);

    public ConsentDecisionSurrogate ConvertToSurrogate(in ConsentDecision d) =>
        new() { Purpose = d.Purpose, Channel = d.Channel, Granted = d.Granted, Document = d.Document, ExpiresAt = d.ExpiresAt };
}

[GenerateSerializer, Alias("ConsentRecord")]
public struct ConsentRecordSurrogate
{
    [Id(0)] public ConsentDecision Decision;
    [Id(1)] public DateTimeOffset At;
    [Id(2)] public string TouchpointId;
    [Id(3)] public string ChannelOfTouchpoint;
}

[RegisterConverter]
public sealed class ConsentRecordConverter : IConverter<ConsentRecord, ConsentRecordSurrogate>
{
    public ConsentRecord ConvertFromSurrogate(in ConsentRecordSurrogate s) =>
        new(s.Decision.Purpose, s.Decision.Channel, s.Decision.Granted, s.At, s.TouchpointId, s.ChannelOfTouchpoint, s.Decision.Document, s.Decision.ExpiresAt);

    public ConsentRecordSurrogate ConvertToSurrogate(in ConsentRecord r) => new()
    {
        Decision = new ConsentDecision(r.Purpose, r.Channel, r.Granted, r.Document, r.ExpiresAt),
        At = r.At, TouchpointId = r.TouchpointId, ChannelOfTouchpoint = r.ChannelOfTouchpoint,
    };
}

/// <summary>A consent ledger as its two folds' records; reading it back folds them again, which changes nothing.</summary>
[GenerateSerializer, Alias("ConsentLedger")]
public struct ConsentLedgerSurrogate
{
    [Id(0)] public ConsentRecord[] Deciding;
    [Id(1)] public ConsentRecord[] History;
}

[RegisterConverter]
public sealed class ConsentLedgerConverter : IConverter<ConsentLedger, ConsentLedgerSurrogate>
{
    public ConsentLedger ConvertFromSurrogate(in ConsentLedgerSurrogate s) => new(s.Deciding, s.History);

    public ConsentLedgerSurrogate ConvertToSurrogate(in ConsentLedger l) => new() { Deciding = [.. l.Deciding], History = [.. l.History] };
}

[GenerateSerializer, Alias("PurposeConsent")]
public struct PurposeConsentSurrogate
{
    [Id(0)] public string Purpose;
    [Id(1)] public bool Granted;
    [Id(2)] public bool Decided;
    [Id(3)] public string[] Channels;
    [Id(4)] public bool[] ChannelsGranted;
}

[RegisterConverter]
public sealed class PurposeConsentConverter : IConverter<PurposeConsent, PurposeConsentSurrogate>
{
    public PurposeConsent ConvertFromSurrogate(in PurposeConsentSurrogate s) =>
        new(s.Purpose, s.Granted, s.Decided, [.. s.Channels.Zip(s.ChannelsGranted, KeyValuePair.Create)]);

    public PurposeConsentSurrogate ConvertToSurrogate(in PurposeConsent p) => new()
    {
        Purpose = p.Purpose, Granted = p.Granted, Decided = p.Decided,
        Channels = [.. p.Channels.Select(c => c.Key)], ChannelsGranted = [.. p.Channels.Select(c => c.Value)],
    };
}
