using Profiles.Core.Consent;
using Profiles.Core.Personalisation;
using Profiles.Core.Profiles;
using Profiles.Core.Touchpoints;
using Profiles.Testing;
using static Profiles.Core.Personalisation.ComputedTraitKind;
using static Profiles.Core.Tests.PersonalisationSupport;

namespace Profiles.Core.Tests;

/// <summary>Audiences (docs/PERSONALISATION.md): the expression language, its null rule and its variables.</summary>
public class AudiencesTests
{
    private static readonly ComputedTraits Traits = new(
    [
        Trait("orders", Count, types: ["purchase"]),
        Trait("revenue", Sum, "amount", types: ["purchase"]),
        Trait("orders_30d", Count, types: ["purchase"], window: 30),
        Trait("favourite_category", Top, "category"),
        Trait("last_newsletter", Last, "optIn"),
        Trait("category_affinity", Affinity, "category"),
    ]);

    /// <summary>Paul: two purchases in the shop 40 days ago, a web visit; a city, no tier.</summary>
    private static readonly Touchpoint[] Paul =
    [
        TestTouchpoints.Make("p1", DaysAgo(40), "store", "purchase", [("email", "paul@example.com")], [("city", "\"Lyon\""), ("vip", "true")])
            with { PropertiesJson = """{"amount":120.5,"category":"shoes","optIn":false}""" },
        Touch("p2", DaysAgo(40), "store", "purchase", new { amount = 80, category = "bags" }),
        Touch("w", DaysAgo(2), "web", "page_view", new { category = "shoes" }),
    ];

    [Theory]
    [InlineData("orders >= 2 && revenue > 200", true)]
    [InlineData("orders == 2 && revenue == 200.5", true)]
    [InlineData("orders != 2 || revenue < 100", false)]
    [InlineData("!(orders > 2)", true)]
    [InlineData("(orders > 5 || online > 0) && offline >= 2", true)]
    [InlineData("touchpoints == 3 && online == 1 && offline == 2", true)]
    [InlineData("identified", true)]
    [InlineData("identified == false", false)]
    [InlineData("favourite_category == \"shoes\"", true)]
    [InlineData("favourite_category < \"t\"", true)]
    [InlineData("last_newsletter == false", true)]
    [InlineData("traits.city == \"Lyon\"", true)]
    [InlineData("traits.city != \"Paris\"", true)]
    [InlineData("traits.vip", true)]
    [InlineData("traits.vip == true && orders_30d == 0", true)]
    [InlineData("true", true)]
    [InlineData("false || -1 > 0", false)]
    public void An_expression_holds_as_its_operators_say(string expression, bool member)
    {
        Assert.Equal(member, IsMember(expression, Paul));
    }

    [Theory]
    [InlineData("traits.tier == \"gold\"")]
    [InlineData("traits.tier != \"gold\"")]
    [InlineData("traits.tier < 3")]
    [InlineData("traits.tier >= 3")]
    [InlineData("revenue > 0")]
    [InlineData("revenue != 5")]
    [InlineData("revenue <= 5")]
    public void A_comparison_with_a_null_operand_is_false(string expression)
    {
        var anonymous = new[] { Touch("v", DaysAgo(1), "web", "page_view") };

        Assert.False(IsMember(expression, anonymous));
        Assert.True(IsMember($"!({expression})", anonymous));
    }

    [Theory]
    [InlineData("traits.tier")]
    [InlineData("!traits.tier")]
    [InlineData("!traits.vip")]
    public void A_bare_trait_holds_only_when_it_is_a_boolean_that_says_so(string expression)
    {
        Assert.False(IsMember(expression, Paul));
    }

    [Fact]
    public void Cookies_and_devices_alone_leave_a_profile_unidentified()
    {
        var anonymous = TestTouchpoints.Make("a", DaysAgo(1), "app", "app_install", [("cookie", "c-9"), ("device_id", "d-9")]);

        Assert.False(IsMember("identified", [anonymous]));
        Assert.True(IsMember("identified", [anonymous, TestTouchpoints.Make("b", DaysAgo(1), "partner", "import", [("loyalty_id", "L-9")])]));
    }

    [Fact]
    public void Memberships_come_sorted_by_name()
    {
        var audiences = new Audiences([new("zeta", "true"), new("alpha", "orders > 1"), new("mid", "false")], Traits);

        Assert.Equal(["alpha", "zeta"], new Personalisation.Personalisation(Traits, audiences).Evaluate(Fold(Traits, Paul), Noon).Audiences);
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("granted", true)]
    [InlineData("denied", false)]
    public void An_audience_for_a_purpose_and_channel_holds_only_while_it_is_granted_there(string? smsStatus, bool member)
    {
        // Paul granted marketing for every channel the day after his purchases.
        ConsentDecision[] decisions = smsStatus is null
            ? [new("marketing", null, true, null, null)]
            : [new("marketing", null, true, null, null), new("marketing", "sms", smsStatus == ConsentStatus.Granted, null, null)];
        var consent = Touch("c", DaysAgo(39), "web", "preferences") with { Consent = decisions };
        var personalisation = new Personalisation.Personalisation(Traits, new Audiences(
        [
            new("sms_buyers", "orders > 0", "marketing", "sms"),
            new("mail_buyers", "orders > 0", "marketing"),
            new("analytics_buyers", "orders > 0", "analytics", "sms"),
        ], Traits, ConsentPurposes.Shipped), ConsentPurposes.Shipped);

        var audiences = personalisation.Evaluate(Fold(Traits, [.. Paul, consent]), Noon).Audiences;

        Assert.Equal(member, audiences.Contains("sms_buyers"));
        Assert.Contains("mail_buyers", audiences);
        Assert.Contains("analytics_buyers", audiences);
        Assert.DoesNotContain("sms_buyers", personalisation.Evaluate(Fold(Traits, Paul), Noon).Audiences);
    }

    [Theory]
    [InlineData("consent.marketing", false)]
    [InlineData("!consent.marketing", true)]
    [InlineData("consent.personalisation && orders >= 2", true)]
    [InlineData("consent.analytics == true", true)]
    [InlineData("consent.marketing || consent.analytics", true)]
    public void Expressions_read_the_purpose_wide_status_as_consent_PURPOSE(string expression, bool member)
    {
        var personalisation = new Personalisation.Personalisation(Traits, new Audiences([new("audience", expression)], Traits, ConsentPurposes.Shipped),
            ConsentPurposes.Shipped);

        Assert.Equal(member, personalisation.Evaluate(Fold(Traits, Paul), Noon).Audiences.Contains("audience"));
    }

    [Theory]
    [InlineData("consent.profiling", "consent.profiling")]
    [InlineData("orders > 1 && consent.Marketing", "consent.Marketing")]
    [InlineData("consent.marketing.Length > 1", "reads a member of")]
    [InlineData("consent > 1", "does not parse")]
    public void Consent_is_read_only_as_a_configured_purpose(string expression, string named)
    {
        var error = Assert.Throws<AudienceExpressionException>(() => new Audiences([new("bad", expression)], Traits, ConsentPurposes.Shipped));

        Assert.Contains(named, error.Message);
    }

    [Theory]
    [InlineData("orders >=", "does not parse")]
    [InlineData("orders > 1 &&& true", "does not parse")]
    [InlineData("order > 1", "'order'")]
    [InlineData("orders + 1 > 2", "does not parse")]
    [InlineData("traits.age + 1 > 2", "Add")]
    [InlineData("favourite_category.Length > 2", "Length")]
    [InlineData("favourite_category.ToString() == \"x\"", "ToString")]
    [InlineData("orders > 1 ? true : false", "conditional")]
    [InlineData("revenue == null", "does not parse")]
    [InlineData("traits.city == null", "null")]
    [InlineData("traits.city.Length > 2", "traits")]
    [InlineData("\"a\".GetType() == null", "GetType")]
    [InlineData("Math.Max(1, 2) > 1", "'Math'")]
    [InlineData("System.IO.File.Exists(\"/etc/passwd\")", "'System'")]
    public void Expressions_outside_the_language_are_refused_with_a_reason(string expression, string reason)
    {
        var error = Assert.Throws<AudienceExpressionException>(() => new Audiences([new("bad", expression)], Traits));

        Assert.Contains(reason, error.Message);
    }

    private static bool IsMember(string expression, IEnumerable<Touchpoint> touchpoints)
    {
        var personalisation = new Personalisation.Personalisation(Traits, new Audiences([new("audience", expression)], Traits));
        return personalisation.Evaluate(Fold(Traits, touchpoints), Noon).Audiences.Contains("audience");
    }
}
