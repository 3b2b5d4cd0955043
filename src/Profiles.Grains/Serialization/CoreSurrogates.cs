using Profiles.Core.Consent;
using Profiles.Core.Personalisation;
using Profiles.Core.Profiles;
using Profiles.Core.Rules;
using Profiles.Core.Touchpoints;

// Profiles.Core's records carry [GenerateSerializer] themselves. Core references only Orleans' attributes, so their
// codecs are generated here, by the code generator this assembly runs (docs/ARCHITECTURE.md, "Choices that are not
// obvious").
[assembly: GenerateCodeForDeclaringAssembly(typeof(ProfileContent))]

namespace Profiles.Grains.Serialization;

// The Core types a generated codec cannot carry faithfully cross grain calls and reach grain storage through these
// surrogates instead, in the layout they were always stored in.

// A touchpoint's lists are read-only interfaces whose values are often of types the compiler makes for a collection
// expression, for which Orleans has no codec: they cross as arrays, and no refused links as a null.
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
    [Id(9)] public bool ContentRemoved;
}

[RegisterConverter]
public sealed class TouchpointConverter : IConverter<Touchpoint, TouchpointSurrogate>
{
    public Touchpoint ConvertFromSurrogate(in TouchpointSurrogate s) =>
        new(s.Id, s.OccurredAt, s.Channel, s.Type, s.Identifiers, s.Traits, s.PropertiesJson)
        {
            RefusedLinks = s.RefusedLinks ?? [], Consent = s.Consent ?? [], ContentRemoved = s.ContentRemoved,
        };

    public TouchpointSurrogate ConvertToSurrogate(in Touchpoint t) => new()
    {
        Id = t.Id, OccurredAt = t.OccurredAt, Channel = t.Channel, Type = t.Type,
        Identifiers = [.. t.Identifiers], Traits = [.. t.Traits], PropertiesJson = t.PropertiesJson,
        RefusedLinks = t.RefusedLinks.Count == 0 ? null : [.. t.RefusedLinks],
        Consent = t.Consent.Count == 0 ? null : [.. t.Consent],
        ContentRemoved = t.ContentRemoved,
    };
}

// A profile's refused links, last links and corrections are kept in private fields, each made on its first entry,
// which a code generator outside Profiles.Core cannot see: a generated codec would drop them. Its consent ledger is
// kept in private dictionaries too: it is stored as its two folds' records, and reading them back folds them again,
// which changes nothing.
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
    [Id(11)] public ConsentRecord[]? ConsentDeciding;
    [Id(12)] public ConsentRecord[]? ConsentHistory;
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
        Consent = s.ConsentHistory is null ? null : new ConsentLedger(s.ConsentDeciding ?? [], s.ConsentHistory),
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
        ConsentDeciding = c.Consent is null ? null : [.. c.Consent.Deciding],
        ConsentHistory = c.Consent is null ? null : [.. c.Consent.History],
    };

    // The wire keeps the shape main wrote (a dictionary, null when empty), so snapshots read both ways.
    private static Dictionary<string, T>? NullIfEmpty<T>(IReadOnlyDictionary<string, T> map) =>
        map.Count == 0 ? null : new(map, StringComparer.Ordinal);
}

// The keys come as a read-only dictionary interface: they cross as a dictionary whatever its runtime type.
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
    // The kind crosses as its number, as stored profiles have always held it.
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

// Scores are a read-only list interface, most often of a type the compiler makes for a collection expression: they
// cross as two arrays.
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
