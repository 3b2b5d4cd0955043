using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Profiles.Core.Consent;
using Profiles.Core.Rules;
using Profiles.Core.Segment;
using Profiles.Core.Touchpoints;
using static Profiles.Testing.TestIdentifiers;

namespace Profiles.Core.Tests;

/// <summary>
/// Events of the Segment Spec as touchpoints (docs/SEGMENT.md): each event is written as a touchpoint object and read
/// by the touchpoint parser, as the node does, so these tests see what the node stores.
/// </summary>
public class SegmentEventMapperTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    /// <summary>The shipped mapping: Segment's e-commerce events.</summary>
    private static readonly SegmentSettings Shipped = SegmentSettings.Unconfigured with
    {
        EventTypes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["Order Completed"] = "purchase", ["Product Added"] = "add_to_cart" },
    };

    [Fact]
    public void An_identify_is_one_touchpoint_with_its_message_id_timestamp_identifiers_and_flattened_traits()
    {
        var touchpoint = Accepted("""
            { "type": "identify", "messageId": "ajs-1", "timestamp": "2026-11-20T17:05:00.000Z", "anonymousId": "ck-9f2a",
              "userId": "u-42", "traits": { "email": " Paul.Martin@Example.COM ", "firstName": "Paul", "address": { "city": "Lyon", "geo": { "zip": "69002" } } } }
            """);

        Assert.Equal("ajs-1", touchpoint.Id);
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 17, 5, 0, TimeSpan.Zero), touchpoint.OccurredAt);
        Assert.Equal("web", touchpoint.Channel);
        Assert.Equal("identify", touchpoint.Type);
        Assert.Equal(
            new[] { ("cookie", KeyOf("cookie", "ck-9f2a")), ("customer_id", KeyOf("customer_id", "u-42")), ("email", KeyOf("email", "paul.martin@example.com")) }.Order(),
            touchpoint.Identifiers.Select(i => (i.Type, i.Key)).Order());
        Assert.Equal(
            [new TraitWrite("firstName", "\"Paul\""), new TraitWrite("address.city", "\"Lyon\""), new TraitWrite("address.geo.zip", "\"69002\"")],
            touchpoint.Traits);
        Assert.Null(touchpoint.PropertiesJson);
    }

    [Fact]
    public void Identifier_values_never_become_traits_whatever_the_trait_is_called()
    {
        var touchpoint = Accepted("""
            { "type": "identify", "userId": "u-42", "anonymousId": "ck-1",
              "traits": { "email": "paul@example.com", "phone": "06 12 34 56 78", "id": "u-42", "visitor": { "cookie": "ck-1" }, "plan": "gold" },
              "context": { "traits": { "userId": "u-42", "email": "other@example.com", "tier": 2 } } }
            """);

        Assert.Equal([new TraitWrite("plan", "\"gold\""), new TraitWrite("tier", "2")], touchpoint.Traits);
        // traits first: the e-mail of context.traits is not read when traits has one.
        Assert.Contains(touchpoint.Identifiers, i => i.Key == KeyOf("email", "paul@example.com"));
        Assert.DoesNotContain(touchpoint.Identifiers, i => i.Key == KeyOf("email", "other@example.com"));
        Assert.Contains(touchpoint.Identifiers, i => i.Key == KeyOf("phone", "+33612345678"));
    }

    [Fact]
    public void Traits_come_first_and_context_traits_add_what_they_lack_lists_are_not_traits()
    {
        var touchpoint = Accepted("""
            { "type": "track", "event": "Clicked", "anonymousId": "ck-1", "traits": { "city": "Lyon", "tags": ["a", "b"] },
              "context": { "traits": { "city": "Paris", "email": "anna@example.com", "vip": true, "gone": null } } }
            """);

        Assert.Equal([new TraitWrite("city", "\"Lyon\""), new TraitWrite("vip", "true"), new TraitWrite("gone", null)], touchpoint.Traits);
        Assert.Contains(touchpoint.Identifiers, i => i.Key == KeyOf("email", "anna@example.com"));
    }

    [Theory]
    [InlineData("page", null, "page_view")]
    [InlineData("screen", null, "screen_view")]
    [InlineData("identify", null, "identify")]
    [InlineData("alias", null, "alias")]
    [InlineData("group", null, "group")]
    [InlineData("track", "Order Completed", "purchase")]
    [InlineData("track", "order completed", "purchase")]
    [InlineData("track", "Product Added", "add_to_cart")]
    [InlineData("track", "Product Viewed", "product_viewed")]
    [InlineData("track", "  Checkout -- Step 2!", "_checkout_step_2_")]
    [InlineData("track", "Vidéo Lue", "vid_o_lue")]
    public void Each_call_has_its_touchpoint_type_and_free_event_names_are_snake_cased(string call, string? name, string type)
    {
        var segmentEvent = new JsonObject { ["type"] = call, ["anonymousId"] = "ck-1", ["previousId"] = "ck-0", ["event"] = name };

        Assert.Equal(type, Accepted(segmentEvent.ToJsonString()).Type);
    }

    [Fact]
    public void A_snake_cased_name_is_cut_to_the_longest_touchpoint_type()
    {
        var type = SegmentEventTypes.SnakeCase(new string('A', 40) + " " + new string('b', 40));

        Assert.Equal(TouchpointParser.MaxTypeLength, type.Length);
        Assert.Equal(new string('a', 40) + "_" + new string('b', 23), type);
    }

    [Fact]
    public void The_route_names_the_call_whatever_the_event_says()
    {
        Assert.Equal("page_view", Accepted("""{ "type": "track", "event": "X", "anonymousId": "ck-1" }""", call: "page").Type);
        Assert.Equal("identify", Accepted("""{ "anonymousId": "ck-1" }""", call: "identify").Type);
    }

    [Fact]
    public void Anonymous_ids_are_cookies_on_the_web_and_device_ids_on_the_app()
    {
        Assert.Equal("cookie", Assert.Single(Accepted("""{ "type": "page", "anonymousId": "a-1" }""").Identifiers).Type);
        var app = Accepted("""{ "type": "screen", "anonymousId": "a-1" }""", channel: "app");
        Assert.Equal("app", app.Channel);
        Assert.Equal(KeyOf("device_id", "a-1"), Assert.Single(app.Identifiers).Key);
    }

    [Fact]
    public void An_alias_links_its_previous_id_to_its_user_id_with_the_configured_types()
    {
        var shipped = Accepted("""{ "type": "alias", "previousId": "ck-7", "userId": "u-7" }""");
        Assert.Equal(new[] { KeyOf("cookie", "ck-7"), KeyOf("customer_id", "u-7") }.Order(), shipped.Identifiers.Select(i => i.Key).Order());

        var configured = Shipped with { UserIdType = "crm_id", PreviousIdType = "app_user_id" };
        var touchpoint = Accepted("""{ "type": "alias", "previousId": 1234, "userId": "CRM-7" }""", settings: configured);
        Assert.Equal(new[] { KeyOf("app_user_id", "1234"), KeyOf("crm_id", "CRM-7") }.Order(), touchpoint.Identifiers.Select(i => i.Key).Order());
    }

    [Fact]
    public void A_previous_id_outside_an_alias_is_no_identifier()
    {
        Assert.Equal(SegmentSkipReasons.NoIdentifier, Map("""{ "type": "track", "event": "X", "previousId": "ck-7" }""").Mapping.SkipReason);
    }

    [Fact]
    public void Properties_gain_what_the_event_says_elsewhere_and_the_rest_of_context_is_not_kept()
    {
        var touchpoint = Accepted("""
            { "type": "page", "name": "Trail 42", "anonymousId": "ck-1", "properties": { "url": "https://shop.example/trail-42", "category": "shoes" },
              "context": { "ip": "192.0.2.1", "userAgent": "Mozilla/5.0", "library": { "name": "analytics.js" },
                           "page": { "url": "https://shop.example/ignored", "path": "/trail-42", "referrer": "https://search.example/" },
                           "campaign": { "name": "autumn", "source": "newsletter" } } }
            """);

        Assert.Equal("""{"url":"https://shop.example/trail-42","category":"shoes","name":"Trail 42","path":"/trail-42","referrer":"https://search.example/","campaign":{"name":"autumn","source":"newsletter"}}""",
            touchpoint.PropertiesJson);
        Assert.Empty(touchpoint.Traits);
    }

    [Theory]
    [InlineData("""{ "revenue": 89.9, "total": 99.9 }""", """{"revenue":89.9,"total":99.9,"amount":89.9}""")]
    [InlineData("""{ "total": 99.9 }""", """{"total":99.9,"amount":99.9}""")]
    [InlineData("""{ "amount": 10, "revenue": 89.9 }""", """{"amount":10,"revenue":89.9}""")]
    public void A_purchase_takes_its_amount_from_revenue_else_total_when_it_has_none(string properties, string stored)
    {
        var touchpoint = Accepted($$"""{ "type": "track", "event": "Order Completed", "userId": "u-1", "properties": {{properties}} }""");

        Assert.Equal("purchase", touchpoint.Type);
        Assert.Equal(stored, touchpoint.PropertiesJson);
    }

    [Fact]
    public void A_groups_traits_describe_the_company_so_they_are_properties_and_link_nobody()
    {
        var touchpoint = Accepted("""
            { "type": "group", "groupId": "acme", "userId": "u-1", "traits": { "name": "Acme", "email": "contact@acme.example", "employees": 120 },
              "context": { "traits": { "email": "paul@example.com" } } }
            """);

        Assert.Equal("group", touchpoint.Type);
        Assert.Equal("""{"name":"Acme","email":"contact@acme.example","employees":120,"groupId":"acme"}""", touchpoint.PropertiesJson);
        Assert.Equal(new[] { KeyOf("customer_id", "u-1"), KeyOf("email", "paul@example.com") }.Order(), touchpoint.Identifiers.Select(i => i.Key).Order());
        Assert.Empty(touchpoint.Traits);
    }

    [Fact]
    public void Without_a_timestamp_the_original_timestamp_else_the_time_of_receipt_is_when_it_occurred()
    {
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 8, 0, 0, TimeSpan.Zero),
            Accepted("""{ "type": "page", "anonymousId": "ck-1", "originalTimestamp": "2026-11-21T08:00:00Z" }""").OccurredAt);
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 9, 0, 0, TimeSpan.Zero),
            Accepted("""{ "type": "page", "anonymousId": "ck-1", "timestamp": "2026-11-21T09:00:00Z", "originalTimestamp": "2026-11-21T08:00:00Z" }""").OccurredAt);
        Assert.Equal(Now, Accepted("""{ "type": "page", "anonymousId": "ck-1" }""").OccurredAt);
    }

    [Fact]
    public void The_same_event_without_a_message_id_is_the_same_touchpoint_on_a_retry()
    {
        const string segmentEvent = """{ "type": "track", "event": "Clicked", "anonymousId": "ck-1", "timestamp": "2026-11-21T09:00:00Z" }""";

        Assert.Equal(Accepted(segmentEvent).Id, Accepted(segmentEvent).Id);
    }

    [Theory]
    [InlineData("""{ "type": "track", "event": "Clicked" }""", SegmentSkipReasons.NoIdentifier)]
    [InlineData("""{ "type": "track", "event": "Clicked", "userId": "  ", "anonymousId": null }""", SegmentSkipReasons.NoIdentifier)]
    [InlineData("""{ "type": "group", "groupId": "acme", "traits": { "email": "contact@acme.example" } }""", SegmentSkipReasons.NoIdentifier)]
    [InlineData("""{ "type": "purchase", "anonymousId": "ck-1" }""", SegmentSkipReasons.UnknownType)]
    [InlineData("""{ "anonymousId": "ck-1" }""", SegmentSkipReasons.UnknownType)]
    [InlineData("""{ "type": "track", "anonymousId": "ck-1" }""", SegmentSkipReasons.UnknownType)]
    [InlineData("""{ "type": "track", "event": "", "anonymousId": "ck-1" }""", SegmentSkipReasons.UnknownType)]
    [InlineData("""{ "type": "track", "event": "X", "anonymousId": "ck-1", "properties": [1, 2] }""", SegmentSkipReasons.Invalid)]
    [InlineData("""{ "type": "identify", "anonymousId": "ck-1", "traits": "gold" }""", SegmentSkipReasons.Invalid)]
    [InlineData("""[ "not", "an", "event" ]""", SegmentSkipReasons.Invalid)]
    public void An_event_that_cannot_be_a_touchpoint_is_skipped_with_its_reason_and_writes_nothing(string segmentEvent, string reason)
    {
        var (mapping, written) = Map(segmentEvent);

        Assert.Equal(reason, mapping.SkipReason);
        Assert.Null(written);
    }

    [Fact]
    public void An_event_over_32_KiB_is_skipped_as_too_large()
    {
        var atLimit = new JsonObject { ["type"] = "track", ["event"] = "X", ["anonymousId"] = "ck-1", ["properties"] = new JsonObject { ["note"] = "" } };
        var padding = SegmentEventMapper.MaxEventBytes - atLimit.ToJsonString().Length;
        atLimit["properties"]!["note"] = new string('x', padding);
        var overLimit = new JsonObject { ["type"] = "track", ["event"] = "X", ["anonymousId"] = "ck-1", ["properties"] = new JsonObject { ["note"] = new string('x', padding + 1) } };

        Assert.True(Map(atLimit.ToJsonString()).Mapping.IsWritten);
        Assert.Equal(SegmentSkipReasons.TooLarge, Map(overLimit.ToJsonString()).Mapping.SkipReason);
    }

    [Fact]
    public void A_touchpoint_rule_the_event_breaks_rejects_the_touchpoint_it_became()
    {
        Assert.Equal("occurredAt: must be an ISO-8601 date-time with offset",
            Parse(Map("""{ "type": "page", "anonymousId": "ck-1", "timestamp": "yesterday" }""").Written!).Error);
        Assert.Equal("identifiers[0].value: is not a plausible e-mail address",
            Parse(Map("""{ "type": "identify", "traits": { "email": "not-an-address" } }""").Written!).Error);
    }

    [Fact]
    public void Consent_categories_become_decisions_for_their_purposes_on_every_channel_and_unmapped_ones_are_ignored()
    {
        var settings = Shipped with
        {
            ConsentCategories = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["Advertising"] = "marketing", ["Analytics"] = "analytics" },
        };

        var touchpoint = Accepted("""
            { "type": "page", "anonymousId": "ck-1",
              "context": { "consent": { "categoryPreferences": { "Advertising": false, "analytics": true, "Functional": true, "Other": "yes" } } } }
            """, settings: settings);

        Assert.Equal([new ConsentDecision("marketing", null, false, null, null), new ConsentDecision("analytics", null, true, null, null)], touchpoint.Consent);
        Assert.Empty(Accepted("""{ "type": "page", "anonymousId": "ck-1", "context": { "consent": { "categoryPreferences": { "Advertising": true } } } }""").Consent);
        Assert.Empty(Accepted("""{ "type": "page", "anonymousId": "ck-1", "context": { "consent": { "categoryPreferences": { "Other": true } } } }""", settings: settings).Consent);
    }

    private static Touchpoint Accepted(string segmentEvent, string? call = null, string channel = "web", SegmentSettings? settings = null)
    {
        var (mapping, written) = Map(segmentEvent, call, channel, settings);
        Assert.True(mapping.IsWritten, mapping.SkipReason);
        var parsed = Parse(written!);
        Assert.True(parsed.IsOk, parsed.Error);
        return parsed.Touchpoint;
    }

    /// <returns>The mapping, and the touchpoint JSON it wrote (null when it wrote nothing).</returns>
    private static (SegmentMapping Mapping, string? Written) Map(string segmentEvent, string? call = null, string channel = "web", SegmentSettings? settings = null)
    {
        using var document = JsonDocument.Parse(segmentEvent);
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            var mapping = new SegmentEventMapper(settings ?? Shipped).Map(document.RootElement, call, channel, writer);
            writer.Flush();
            return (mapping, buffer.WrittenCount == 0 ? null : System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan));
        }
    }

    private static TouchpointParseResult Parse(string touchpoint)
    {
        using var document = JsonDocument.Parse(touchpoint);
        return new TouchpointParser(Reader, IdentityRules.None, new FakeClock(Now), ConsentPurposes.Shipped).Parse(document.RootElement);
    }
}
