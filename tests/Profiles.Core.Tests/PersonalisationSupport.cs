using System.Text.Json;
using Profiles.Core.Personalisation;
using Profiles.Core.Profiles;
using Profiles.Core.Touchpoints;
using Profiles.Testing;

namespace Profiles.Core.Tests;

/// <summary>Computed-trait definitions and touchpoints with properties, as a test writes them.</summary>
internal static class PersonalisationSupport
{
    public static readonly DateOnly Today = new(2026, 11, 29);

    /// <summary>Noon UTC on <see cref="Today"/>: the moment audiences and consent are evaluated for.</summary>
    public static readonly DateTimeOffset Noon = DaysAgo(0);

    public static ComputedTraitDefinition Trait(
        string name, ComputedTraitKind kind, string? of = null, int? window = null, double halfLife = ComputedTraitDefinition.DefaultHalfLifeDays,
        string[]? channels = null, string[]? types = null, Dictionary<string, string[]>? properties = null) =>
        new(name, kind, of,
            new TouchpointFilter(
                channels?.ToHashSet(StringComparer.Ordinal),
                types?.ToHashSet(StringComparer.Ordinal),
                (properties ?? []).ToDictionary(p => p.Key, p => (IReadOnlySet<string>)p.Value.ToHashSet(StringComparer.Ordinal))),
            window, halfLife);

    /// <summary>A touchpoint of cookie c-1 at <paramref name="at"/> with the given properties (null values left out).</summary>
    public static Touchpoint Touch(string id, DateTimeOffset at, string channel, string type, object? properties = null) =>
        TestTouchpoints.Make(id, at, channel, type, [("cookie", "c-1")]) with
        {
            PropertiesJson = properties is null ? null : JsonSerializer.Serialize(properties),
        };

    /// <summary>Noon UTC, <paramref name="days"/> days before <see cref="Today"/>.</summary>
    public static DateTimeOffset DaysAgo(int days, int hour = 12) =>
        new DateTimeOffset(Today.ToDateTime(new TimeOnly(hour, 0)), TimeSpan.Zero).AddDays(-days);

    public static ProfileContent Fold(ComputedTraits traits, IEnumerable<Touchpoint> touchpoints)
    {
        var content = new ProfileContent();
        foreach (var touchpoint in touchpoints) content.Add(touchpoint, traits);
        return content;
    }

    /// <summary>Every trait's value as text, by name: what a profile answer shows under "computed".</summary>
    public static Dictionary<string, string> Values(ComputedTraits traits, ProfileContent content, DateOnly? today = null) =>
        traits.Definitions.Zip(traits.Evaluate(content.Computed, today ?? Today)).ToDictionary(p => p.First.Name, p => p.Second.ToString());
}
