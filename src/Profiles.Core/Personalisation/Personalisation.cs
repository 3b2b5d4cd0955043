using Orleans;
using Profiles.Core.Consent;
using Profiles.Core.Profiles;
using Profiles.Core.Touchpoints;

namespace Profiles.Core.Personalisation;

/// <summary>Computed traits, audiences and consent purposes as configured (docs/PERSONALISATION.md, docs/CONSENT.md).</summary>
public sealed class Personalisation(ComputedTraits computed, Audiences audiences, ConsentPurposes? consent = null)
{
    public static readonly Personalisation None = new(ComputedTraits.None, Audiences.None);

    public ComputedTraits Computed { get; } = computed;

    public Audiences Audiences { get; } = audiences;

    public ConsentPurposes Consent { get; } = consent ?? ConsentPurposes.None;

    /// <summary>The profile's computed traits (for <paramref name="now"/>'s UTC date), consent and audiences as of
    /// <paramref name="now"/>.</summary>
    public PersonalisedValues Evaluate(ProfileContent content, DateTimeOffset now)
    {
        var values = Computed.Evaluate(content.Computed, DayOf(now));
        var consent = Consent.Evaluate(content.Consent, now);
        var facts = new AudienceFacts(
            [.. values.Select(v => AudienceValue.From(v.ToComparable()))],
            content.Touchpoints,
            content.Channels.Where(c => ChannelKinds.IsOnline(c.Key)).Sum(c => c.Value.Touchpoints),
            content.Channels.Where(c => ChannelKinds.IsOffline(c.Key)).Sum(c => c.Value.Touchpoints),
            content.Identifiers.Values.Any(i => !AnonymousIdentifiers.Types.Contains(i.Type)),
            new TraitBag(Audiences.UsesTraits
                ? content.CurrentTraits().ToDictionary(t => t.Key, t => ComputedValue.ComparableJson(t.Value), StringComparer.Ordinal)
                : new Dictionary<string, object?>()),
            consent);
        return new PersonalisedValues(Computed.Names, values, Audiences.MembershipOf(facts), consent);
    }

    /// <summary>The first moment after <paramref name="now"/> at which the profile may join or leave an audience, or a
    /// consent status of it change, without a new touchpoint: the UTC midnight a window moves past one of its days, or
    /// a grant's expiry. Null when only a new touchpoint can change them.</summary>
    public DateTimeOffset? NextChangeAfter(ProfileContent content, DateTimeOffset now)
    {
        var day = Computed.NextChangeAfter(content.Computed, DayOf(now), Audiences.ComputedTraitsUsed);
        DateTimeOffset? midnight = day is { } d ? new DateTimeOffset(d.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : null;
        var expiry = content.Consent?.NextExpiryAfter(now, Consent.Names);
        return midnight is null || (expiry is not null && expiry < midnight) ? expiry : midnight;
    }

    /// <summary>Until when what <see cref="Evaluate"/> answered for <paramref name="now"/> holds while the content does
    /// not change: the next UTC midnight, or a grant's expiry before it.</summary>
    public DateTimeOffset StaysValidUntil(ProfileContent content, DateTimeOffset now)
    {
        var midnight = new DateTimeOffset(DayOf(now).AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        return content.Consent?.NextExpiryAfter(now, Consent.Names) is { } expiry && expiry < midnight ? expiry : midnight;
    }

    private static DateOnly DayOf(DateTimeOffset now) => DateOnly.FromDateTime(now.UtcDateTime);
}

/// <summary>What a profile answer shows under <c>computed</c> (<paramref name="Names"/> and <paramref name="Computed"/>
/// side by side, sorted by name), <c>audiences</c> (sorted) and <c>consent</c> (every purpose, in name order).</summary>
[GenerateSerializer, Immutable, Alias("PersonalisedValues")]
public sealed record PersonalisedValues(string[] Names, ComputedValue[] Computed, string[] Audiences, PurposeConsent[] Consent)
{
    public static readonly PersonalisedValues None = new([], [], [], []);

    /// <summary>Whether the storefront may personalise with these values: the <c>personalisation</c> purpose is granted
    /// (or not configured).</summary>
    public bool MayPersonalise => PurposeConsent.IsGranted(Consent, ConsentPurposes.Personalisation);

    /// <summary>What the storefront's reads answer: no computed trait and no audience while the customer does not allow
    /// personalisation, and the consent that says so.</summary>
    public PersonalisedValues ForStorefront() => MayPersonalise ? this : new([], [], [], Consent);
}

/// <summary>A profile holding only identifiers of these types is not <c>identified</c>.</summary>
public static class AnonymousIdentifiers
{
    public static readonly IReadOnlySet<string> Types = new HashSet<string>(StringComparer.Ordinal) { "cookie", "device_id" };
}
