using System.Globalization;
using Profiles.Core.Touchpoints;

namespace Profiles.Core.Personalisation;

/// <summary>
/// The configured computed traits, sorted by name: how a touchpoint folds into a profile's accumulators, and what
/// the accumulators are worth on a given day. Definitions with the same <see cref="ComputedTraitDefinition.Signature"/>
/// share one accumulator (a 30-day and a 180-day count of purchases read the same day buckets).
/// </summary>
public sealed class ComputedTraits
{
    public static readonly ComputedTraits None = new([]);

    private readonly Fold[] _folds;
    private readonly PropertyReader _properties;

    public ComputedTraits(IEnumerable<ComputedTraitDefinition> definitions)
    {
        Definitions = [.. definitions.OrderBy(d => d.Name, StringComparer.Ordinal)];
        Names = [.. Definitions.Select(d => d.Name)];
        _properties = new PropertyReader(Definitions.SelectMany(d => d.Where.Properties.Keys.Append(d.Of ?? "")).Where(IsPropertyKey));
        _folds = [.. Definitions.GroupBy(d => d.StateKey, StringComparer.Ordinal).Select(group => new Fold(
            group.First(),
            group.Max(d => d.EffectiveWindowDays),
            _properties))];
        StateKeys = [.. _folds.Select(f => f.StateKey).Order(StringComparer.Ordinal)];
    }

    /// <summary>The state keys of every accumulator, sorted; one array shared by every profile folded with them.</summary>
    public string[] StateKeys { get; }

    /// <summary>Whether <paramref name="coverage"/> (a profile's <see cref="Profiles.ProfileContent.ComputedCoverage"/>)
    /// holds every accumulator these traits read.</summary>
    public bool AreCoveredBy(string[]? coverage) =>
        ReferenceEquals(coverage, StateKeys) || (coverage is not null && StateKeys.All(key => coverage.Contains(key)));

    /// <summary>The keys both cover: <see cref="StateKeys"/> itself when <paramref name="coverage"/> holds them all,
    /// so a profile folded under one configuration keeps sharing the one array.</summary>
    public string[] Intersect(string[]? coverage) =>
        AreCoveredBy(coverage) ? StateKeys : [.. StateKeys.Where(key => coverage?.Contains(key) == true)];

    public IReadOnlyList<ComputedTraitDefinition> Definitions { get; }

    /// <summary>The traits' names in <see cref="Definitions"/> order; one array shared by every evaluation.</summary>
    public string[] Names { get; }

    /// <summary>Folds one touchpoint into <paramref name="state"/> (accumulators by state key).</summary>
    public void Add(Dictionary<string, TraitAccumulator> state, Touchpoint touchpoint)
    {
        if (_folds.Length == 0) return;
        // The properties JSON is read once, and only when a trait that passed the channel and type filters needs it.
        TraitValue?[]? properties = null;
        var at = touchpoint.OccurredAt.ToUniversalTime();
        foreach (var fold in _folds)
        {
            if (!fold.MatchesChannelAndType(touchpoint)) continue;
            if (fold.ReadsProperties) properties ??= _properties.Read(touchpoint);
            if (!fold.Matches(touchpoint, properties, out var value)) continue;
            if (!state.TryGetValue(fold.StateKey, out var accumulator)) state[fold.StateKey] = accumulator = new(fold.Definition.Kind);
            accumulator.Add(value, at, touchpoint.Id, fold.Definition.ByDay);
        }
    }

    /// <summary>Leaves out what no read on <paramref name="today"/> or later can use: accumulators of traits no longer
    /// configured, and day buckets older than the longest window over them. Values do not change.</summary>
    public void Trim(Dictionary<string, TraitAccumulator> state, DateOnly today)
    {
        foreach (var key in state.Keys.Where(k => !_folds.Any(f => f.StateKey == k)).ToList()) state.Remove(key);
        foreach (var fold in _folds)
        {
            if (fold.HorizonDays is { } days && state.TryGetValue(fold.StateKey, out var accumulator))
            {
                accumulator.DropDaysBefore(today.DayNumber - days + 1);
            }
        }
    }

    /// <summary>
    /// The first day after <paramref name="today"/> on which one of these windowed traits changes with the date
    /// alone (the oldest day it counts leaves its window); null when their windows hold nothing, so only a new
    /// touchpoint can change them.
    /// </summary>
    public DateOnly? NextChangeAfter(IReadOnlyDictionary<string, TraitAccumulator> state, DateOnly today, IReadOnlySet<string> traits)
    {
        int? next = null;
        foreach (var definition in Definitions)
        {
            if (!traits.Contains(definition.Name) || definition.Kind == ComputedTraitKind.Affinity || definition.WindowDays is not { } window) continue;
            if (!state.TryGetValue(definition.StateKey, out var accumulator) || accumulator.Days is null) continue;
            var firstCounted = today.DayNumber - window + 1;
            foreach (var day in accumulator.Days.Keys)
            {
                if (day < firstCounted) continue;
                next = Math.Min(next ?? int.MaxValue, day + window);
                break;
            }
        }
        return next is { } dayNumber ? DateOnly.FromDayNumber(dayNumber) : null;
    }

    /// <summary>Every trait's value on <paramref name="today"/> (UTC), in <see cref="Definitions"/> order.</summary>
    public ComputedValue[] Evaluate(IReadOnlyDictionary<string, TraitAccumulator> state, DateOnly today)
    {
        var values = new ComputedValue[Definitions.Count];
        for (var i = 0; i < values.Length; i++)
        {
            var definition = Definitions[i];
            values[i] = state.TryGetValue(definition.StateKey, out var accumulator)
                ? TraitValues.Of(definition, accumulator, today.DayNumber)
                : TraitValues.Empty(definition);
        }
        return values;
    }

    private static bool IsPropertyKey(string of) => of is not ("" or "channel" or "type" or "occurredAt");

    /// <summary>One accumulator's rule: its filter and where its value comes from.</summary>
    private sealed class Fold
    {
        private readonly int _ofProperty;
        private readonly (int Index, IReadOnlySet<string> Allowed)[] _propertyFilters;

        public Fold(ComputedTraitDefinition definition, int? horizonDays, PropertyReader properties)
        {
            Definition = definition;
            StateKey = definition.StateKey;
            HorizonDays = horizonDays;
            _ofProperty = definition.Of is { } of && IsPropertyKey(of) ? properties.IndexOf(of) : -1;
            _propertyFilters = [.. definition.Where.Properties.Select(p => (properties.IndexOf(p.Key), p.Value))];
        }

        public ComputedTraitDefinition Definition { get; }

        public string StateKey { get; }

        /// <summary>The longest window of the traits reading this accumulator; null when it keeps no day buckets.</summary>
        public int? HorizonDays { get; }

        public bool ReadsProperties => _ofProperty >= 0 || _propertyFilters.Length > 0;

        public bool MatchesChannelAndType(Touchpoint touchpoint) =>
            (Definition.Where.Channels is not { } channels || channels.Contains(touchpoint.Channel))
            && (Definition.Where.Types is not { } types || types.Contains(touchpoint.Type));

        /// <summary>The rest of <c>where</c>, and the value of <c>of</c>; <paramref name="properties"/> is null when
        /// <see cref="ReadsProperties"/> is false.</summary>
        public bool Matches(Touchpoint touchpoint, TraitValue?[]? properties, out TraitValue? value)
        {
            value = null;
            foreach (var (index, allowed) in _propertyFilters)
            {
                if (properties![index] is not { } property || !allowed.Contains(property.Text)) return false;
            }
            value = Definition.Of switch
            {
                null => null,
                "channel" => TraitValue.OfString(touchpoint.Channel),
                "type" => TraitValue.OfString(touchpoint.Type),
                "occurredAt" => TraitValue.OfString(touchpoint.OccurredAt.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture)),
                _ => properties![_ofProperty],
            };
            // A trait with `of` counts only the touchpoints that carry it.
            return Definition.Of is null || value is not null;
        }
    }
}
