using Orleans;
using Profiles.Core.Profiles;
using Profiles.Core.Touchpoints;

namespace Profiles.Core.Personalisation;

/// <summary>Computed traits and audiences as configured (docs/PERSONALISATION.md).</summary>
public sealed class Personalisation(ComputedTraits computed, Audiences audiences)
{
    public static readonly Personalisation None = new(ComputedTraits.None, Audiences.None);

    public ComputedTraits Computed { get; } = computed;

    public Audiences Audiences { get; } = audiences;

    /// <summary>The profile's computed traits and audiences on <paramref name="today"/> (UTC).</summary>
    public PersonalisedValues Evaluate(ProfileContent content, DateOnly today)
    {
        var values = Computed.Evaluate(content.Computed, today);
        var facts = new AudienceFacts(
            [.. values.Select(v => AudienceValue.From(v.ToComparable()))],
            content.Touchpoints,
            content.Channels.Where(c => ChannelKinds.IsOnline(c.Key)).Sum(c => c.Value.Touchpoints),
            content.Channels.Where(c => ChannelKinds.IsOffline(c.Key)).Sum(c => c.Value.Touchpoints),
            content.Identifiers.Values.Any(i => !AnonymousIdentifiers.Types.Contains(i.Type)),
            new TraitBag(Audiences.UsesTraits
                ? content.CurrentTraits().ToDictionary(t => t.Key, t => ComputedValue.ComparableJson(t.Value), StringComparer.Ordinal)
                : new Dictionary<string, object?>()));
        return new PersonalisedValues(Computed.Names, values, Audiences.MembershipOf(facts));
    }

    /// <summary>The first day after <paramref name="today"/> on which the profile may join or leave an audience
    /// without a new touchpoint; null when only a new touchpoint can move it.</summary>
    public DateOnly? NextAudienceChange(ProfileContent content, DateOnly today) =>
        Computed.NextChangeAfter(content.Computed, today, Audiences.ComputedTraitsUsed);
}

/// <summary>What a profile answer shows under <c>computed</c> (<paramref name="Names"/> and <paramref name="Computed"/>
/// side by side, sorted by name) and <c>audiences</c> (sorted).</summary>
[GenerateSerializer, Immutable, Alias("PersonalisedValues")]
public sealed record PersonalisedValues(string[] Names, ComputedValue[] Computed, string[] Audiences)
{
    public static readonly PersonalisedValues None = new([], [], []);
}

/// <summary>A profile holding only identifiers of these types is not <c>identified</c>.</summary>
public static class AnonymousIdentifiers
{
    public static readonly IReadOnlySet<string> Types = new HashSet<string>(StringComparer.Ordinal) { "cookie", "device_id" };
}
