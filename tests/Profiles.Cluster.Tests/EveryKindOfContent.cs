using Profiles.Core.Consent;
using Profiles.Core.Personalisation;
using Profiles.Core.Profiles;
using Profiles.Core.Resolution;
using Profiles.Core.Rules;
using Profiles.Core.Touchpoints;
using Profiles.Testing;

namespace Profiles.Cluster.Tests;

/// <summary>
/// One customer whose profile holds every kind of content a profile keeps: identifiers sent in clear and as a bare
/// SHA-256, traits set and removed, channels, a link the phone limit refuses, the last link per type, an operator's
/// relink, a computed trait of every kind (windowed and not) and the audiences they make, and consent decisions (for
/// every channel and for one, granted, denied and expiring) with an audience for a purpose. Times are days before a
/// given day, so a fixed day gives the same profile on every run.
/// </summary>
public static class EveryKindOfContent
{
    /// <summary>One phone per profile; a CRM id is the strongest identifier, a cookie the weakest.</summary>
    public static readonly IdentityRules Rules = new(
        new Dictionary<string, IdentifierRule>
        {
            ["crm_id"] = new(1, null),
            ["email"] = new(2, null),
            ["phone"] = new(3, 1),
            ["cookie"] = new(4, null),
        },
        BlockedValues.None);

    public static readonly Personalisation Personalisation = Configured();

    public static IdentifierRef Email { get; } = TestIdentifiers.Read("email", "paul.martin@example.com");

    public static IdentifierRef Phone { get; } = TestIdentifiers.Read("phone", "06 12 34 56 78");

    /// <summary>A second phone: over the limit of one, so refused.</summary>
    public static IdentifierRef SecondPhone { get; } = TestIdentifiers.Read("phone", "07 98 76 54 32");

    /// <summary>The customer's touchpoints in the order they are sent, identifiers strongest first as the parser
    /// orders them.</summary>
    /// <param name="withConsent">False: without their consent decisions, as a version that kept none stored them.</param>
    public static Touchpoint[] Touchpoints(DateOnly today, bool withConsent = true)
    {
        var day = new DateTimeOffset(today.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var cookie = TestIdentifiers.Read("cookie", "ck-7f3a");
        var hashedCrmId = TestIdentifiers.Read(TestIdentifiers.Hashed("crm_id", "c-100234"));
        Touchpoint[] touchpoints =
        [
            Make("tp-1", day.AddDays(-40).AddHours(9), "web", "page_view", [Email, cookie], [new("first_name", "\"Paul\"")], """{"category":"shoes"}"""),
            Make("tp-2", day.AddDays(-12).AddHours(15), "store", "purchase", [Email, Phone], [new("first_name", "\"Paul\""), new("city", "\"Lyon\"")],
                """{"amount":89.9,"category":"shoes","storeId":"S1"}"""),
            Make("tp-3", day.AddDays(-3).AddHours(20), "web", "add_to_cart", [cookie], [new("city", null)], """{"category":"bags"}"""),
            Make("tp-4", day.AddDays(-1).AddHours(11), "app", "purchase", [hashedCrmId, Email, SecondPhone], [],
                """{"amount":1250,"category":"bags","storeId":"S2"}"""),
        ];
        if (!withConsent) return touchpoints;
        touchpoints[0] = touchpoints[0] with { Consent = [new ConsentDecision("marketing", null, true, "privacy-2026-10", null)] };
        touchpoints[1] = touchpoints[1] with { Consent = [new ConsentDecision("marketing", "sms", true, "sms-optin-v3", day.AddDays(365))] };
        touchpoints[2] = touchpoints[2] with { Consent = [new ConsentDecision("analytics", null, false, "banner-v4", null), new ConsentDecision("marketing", "email", false, null, null)] };
        return touchpoints;
    }

    /// <summary>The operator's relink of the e-mail and the phone, the day before <paramref name="today"/>.</summary>
    public static Touchpoint Relink(DateOnly today) => Make("op-1",
        new DateTimeOffset(today.ToDateTime(new TimeOnly(16, 30)), TimeSpan.Zero).AddDays(-1), "operator", OperatorEntry.Relink, [Email, Phone], [], null);

    /// <summary>The touchpoints and the relink folded as a profile grain folds them: admitted under
    /// <see cref="Rules"/>, then added with <see cref="Personalisation"/>'s computed traits.</summary>
    public static ProfileContent Folded(DateOnly today, bool withConsent = true)
    {
        var content = new ProfileContent();
        var admission = new ProfileAdmission(content, Rules);
        foreach (var touchpoint in Touchpoints(today, withConsent).Append(Relink(today)))
        {
            Assert.True(admission.TryAdmit(touchpoint, out var admitted));
            content.Add(admitted, Personalisation.Computed);
        }
        return content;
    }

    /// <summary>All a profile keeps, as text: what a client reads of it, the computed traits, audiences and consent it
    /// gives on <paramref name="today"/>, and what only the profile itself uses (computed coverage, last links,
    /// corrections, the consent ledger).</summary>
    public static string Seen(ProfileContent content, DateOnly today)
    {
        var personalised = Personalisation.Evaluate(content, new DateTimeOffset(today.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));
        return CanonicalContent.Of(content)
            + $"coverage {string.Join(',', content.ComputedCoverage ?? [])}\n"
            + string.Concat(personalised.Names.Zip(personalised.Computed, (name, value) => $"computed {name}={value}\n"))
            + $"audiences {string.Join(',', personalised.Audiences)}\n"
            + string.Concat(personalised.Consent.Select(c => $"consent {c.Purpose}={c.Granted} {c.Decided} {string.Join(',', c.Channels)}\n"));
    }

    private static Touchpoint Make(string id, DateTimeOffset at, string channel, string type, IdentifierRef[] identifiers, TraitWrite[] traits, string? properties) =>
        new(id, at, channel, type, [.. identifiers.Order(Comparer<IdentifierRef>.Create(Rules.Compare))], traits, properties);

    private static Personalisation Configured()
    {
        var computed = new ComputedTraits(
        [
            new("orders", ComputedTraitKind.Count, null, Where(types: ["purchase"]), null, 30),
            new("orders_30d", ComputedTraitKind.Count, null, Where(types: ["purchase"]), 30, 30),
            new("revenue", ComputedTraitKind.Sum, "amount", Where(types: ["purchase"]), null, 30),
            new("smallest_basket", ComputedTraitKind.Min, "amount", TouchpointFilter.All, 90, 30),
            new("largest_basket", ComputedTraitKind.Max, "amount", TouchpointFilter.All, null, 30),
            new("first_channel", ComputedTraitKind.First, "channel", TouchpointFilter.All, null, 30),
            new("last_category", ComputedTraitKind.Last, "category", TouchpointFilter.All, null, 30),
            new("stores", ComputedTraitKind.Distinct, "storeId", TouchpointFilter.All, null, 30),
            new("favourite_category", ComputedTraitKind.Top, "category", TouchpointFilter.All, 90, 30),
            new("category_affinity", ComputedTraitKind.Affinity, "category", TouchpointFilter.All, null, 7),
        ]);
        var audiences = new Audiences(
        [
            new("buyers", "orders > 0"),
            new("omnichannel", "online > 0 && offline > 0"),
            new("big_spenders", "revenue >= 1000"),
            new("window_shoppers", "orders == 0"),
            new("sms_marketing", "orders > 0", "marketing", "sms"),
        ], computed, ConsentPurposes.Shipped);
        return new Personalisation(computed, audiences, ConsentPurposes.Shipped);
    }

    private static TouchpointFilter Where(string[] types) => new(null, types.ToHashSet(), new Dictionary<string, IReadOnlySet<string>>());
}
