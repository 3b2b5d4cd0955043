using System.Text.Json;
using System.Text.Json.Nodes;
using Profiles.Core.Consent;
using Profiles.Core.Identifiers;
using Profiles.Core.Rules;
using Profiles.Core.Touchpoints;
using static Profiles.Testing.TestIdentifiers;

namespace Profiles.Core.Tests;

/// <summary>Touchpoints in (docs/API.md): what a touchpoint may contain, and the error a client gets when it does not.</summary>
public class TouchpointParserTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    /// <summary>The till purchase of docs/API.md, "Touchpoints in", with a category among its properties.</summary>
    private const string PurchaseExample = """
        {
          "id": "pos-77-20261122-0042",
          "occurredAt": "2026-11-22T10:15:00+01:00",
          "channel": "store",
          "type": "purchase",
          "identifiers": [
            { "type": "loyalty_id", "value": "FR-000123" },
            { "type": "email", "value": " Paul.Martin@Example.COM " },
            { "type": "phone", "value": "06 12 34 56 78" }
          ],
          "traits": { "firstName": "Paul", "city": "Lyon" },
          "properties": { "storeId": "LYON-2", "amount": 89.90, "currency": "EUR", "category": "shoes" }
        }
        """;

    private const string Minimal = """
        { "channel": "web", "type": "page_view", "identifiers": [ { "type": "cookie", "value": "c-1" } ] }
        """;

    [Fact]
    public void The_documented_example_is_accepted_with_every_field_normalised()
    {
        var result = Parse(PurchaseExample);

        Assert.True(result.IsOk, result.Error);
        var touchpoint = result.Touchpoint;
        Assert.Equal("pos-77-20261122-0042", result.Id);
        Assert.Equal("pos-77-20261122-0042", touchpoint.Id);
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 10, 15, 0, TimeSpan.FromHours(1)), touchpoint.OccurredAt);
        Assert.Equal(TimeSpan.FromHours(1), touchpoint.OccurredAt.Offset);
        Assert.Equal("store", touchpoint.Channel);
        Assert.Equal("purchase", touchpoint.Type);
        // Strongest first; with no identity rules configured, ties are ordered by type.
        Assert.Equal(
            [
                new IdentifierRef("email", KeyOf("email", "paul.martin@example.com"), "p***@example.com", false),
                new IdentifierRef("loyalty_id", KeyOf("loyalty_id", "FR-000123"), "F***23", false),
                new IdentifierRef("phone", KeyOf("phone", "+33612345678"), "+33 6** ** ** 78", false),
            ],
            touchpoint.Identifiers);
        Assert.Equal([new TraitWrite("firstName", "\"Paul\""), new TraitWrite("city", "\"Lyon\"")], touchpoint.Traits);
        Assert.Equal("""{"storeId":"LYON-2","amount":89.90,"currency":"EUR","category":"shoes"}""", touchpoint.PropertiesJson);
        Assert.Null(result.Error);
    }

    [Fact]
    public void No_identifier_value_is_kept_in_clear()
    {
        var touchpoint = Parse(PurchaseExample).Touchpoint!;
        var stored = JsonSerializer.Serialize(touchpoint);

        Assert.DoesNotContain("paul.martin", stored, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("612345678", stored);
        Assert.DoesNotContain("000123", stored);
    }

    [Fact]
    public void Optional_fields_may_be_absent()
    {
        var result = Parse(Minimal);

        Assert.True(result.IsOk, result.Error);
        Assert.Equal(Now, result.Touchpoint.OccurredAt);
        Assert.Empty(result.Touchpoint.Traits);
        Assert.Null(result.Touchpoint.PropertiesJson);
    }

    [Fact]
    public void Optional_fields_sent_as_null_are_absent()
    {
        var result = Parse("""
            { "id": null, "occurredAt": null, "channel": "web", "type": "page_view",
              "identifiers": [ { "type": "cookie", "value": "c-1", "sha256": null } ], "traits": null, "properties": null }
            """);

        Assert.True(result.IsOk, result.Error);
        Assert.Equal(Parse(Minimal).Id, result.Id);
    }

    [Fact]
    public void Unknown_top_level_fields_are_ignored()
    {
        var result = Parse("""
            { "channel": "web", "type": "page_view", "identifiers": [ { "type": "cookie", "value": "c-1" } ],
              "userAgent": "Mozilla/5.0", "context": { "ip": "192.0.2.1" } }
            """);

        Assert.True(result.IsOk, result.Error);
    }

    [Fact]
    public void Traits_keep_their_raw_json_in_order_and_null_removes_a_trait()
    {
        var result = Parse(With("traits", """{ "firstName": "Paul", "age": 42, "spend": 89.90, "optIn": true, "city": null }"""));

        Assert.True(result.IsOk, result.Error);
        Assert.Equal(
            [
                new TraitWrite("firstName", "\"Paul\""),
                new TraitWrite("age", "42"),
                new TraitWrite("spend", "89.90"),
                new TraitWrite("optIn", "true"),
                new TraitWrite("city", null),
            ],
            result.Touchpoint.Traits);
    }

    [Fact]
    public void Properties_are_stored_compact_and_keep_non_ascii_text()
    {
        var result = Parse(With("properties", """
            {
              "label" : "Café crème",
              "items" : [ 1, 2 ]
            }
            """));

        Assert.True(result.IsOk, result.Error);
        Assert.Equal("""{"label":"Café crème","items":[1,2]}""", result.Touchpoint.PropertiesJson);
    }

    [Fact]
    public void The_same_identifier_twice_in_one_touchpoint_is_one_identifier()
    {
        var result = Parse(With("identifiers", $$"""
            [
              { "type": "email", "sha256": "{{IdentifierHasher.Sha256Hex("paul.martin@example.com")}}" },
              { "type": "email", "value": "paul.martin@example.com" },
              { "type": "email", "value": " PAUL.MARTIN@example.com" },
              { "type": "cookie", "value": "c-1" }
            ]
            """));

        Assert.True(result.IsOk, result.Error);
        Assert.Equal(
            [
                new IdentifierRef("cookie", KeyOf("cookie", "c-1"), "***", false),
                new IdentifierRef("email", KeyOf("email", "paul.martin@example.com"), "p***@example.com", false),
            ],
            result.Touchpoint.Identifiers);
    }

    [Theory]
    [InlineData("2026-11-22T10:15:00+01:00", "2026-11-22T09:15:00Z", 60)]
    [InlineData("2026-11-22T10:15:00Z", "2026-11-22T10:15:00Z", 0)]
    [InlineData("2026-11-22T10:15:00.123-05:00", "2026-11-22T15:15:00.123Z", -300)]
    [InlineData("2026-11-22T10:15:00.123456789Z", "2026-11-22T10:15:00.1234567Z", 0)]
    [InlineData("2026-11-22T10:15+01:00", "2026-11-22T09:15:00Z", 60)]
    public void OccurredAt_is_an_instant_with_the_offset_the_client_sent(string sent, string utc, int offsetMinutes)
    {
        var result = Parse(With("occurredAt", JsonSerializer.Serialize(sent)));

        Assert.True(result.IsOk, result.Error);
        Assert.Equal(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture), result.Touchpoint.OccurredAt);
        Assert.Equal(TimeSpan.FromMinutes(offsetMinutes), result.Touchpoint.OccurredAt.Offset);
    }

    [Fact]
    public void OccurredAt_up_to_24_hours_ahead_is_accepted_for_clock_drift_but_not_beyond()
    {
        var in23Hours = JsonSerializer.Serialize(Now.AddHours(23).ToString("O"));
        var in24Hours = JsonSerializer.Serialize(Now.AddHours(24).ToString("O"));
        var in25Hours = JsonSerializer.Serialize(Now.AddHours(25).ToString("O"));

        Assert.True(Parse(With("occurredAt", in23Hours)).IsOk);
        Assert.True(Parse(With("occurredAt", in24Hours)).IsOk);
        Assert.Equal("occurredAt: is more than 24 h in the future", Parse(With("occurredAt", in25Hours)).Error);
    }

    [Fact]
    public void Properties_are_limited_to_16_KiB_compact()
    {
        Assert.True(Parse(With("properties", PropertiesOfSize(15 * 1024))).IsOk);
        Assert.True(Parse(With("properties", PropertiesOfSize(16 * 1024))).IsOk);
        Assert.Equal("properties: is larger than 16 KiB", Parse(With("properties", PropertiesOfSize(16 * 1024 + 1))).Error);
        Assert.Equal("properties: is larger than 16 KiB", Parse(With("properties", PropertiesOfSize(17 * 1024))).Error);
    }

    [Fact]
    public void Indentation_does_not_count_against_the_properties_limit()
    {
        var compact = PropertiesOfSize(16 * 1024);
        var indented = compact.Replace("{", "{\n" + new string(' ', 4096)).Replace("}", "\n" + new string(' ', 4096) + "}");

        Assert.True(Parse(With("properties", indented)).IsOk);
    }

    public static TheoryData<string, string?, string> BadFields => new()
    {
        { "id", "\"\"", "id: must be 1-128 printable characters" },
        { "id", Quoted(new string('x', 129)), "id: must be 1-128 printable characters" },
        { "id", "\"pos\\u0007-1\"", "id: must be 1-128 printable characters" },
        { "id", "42", "id: must be 1-128 printable characters" },
        { "occurredAt", "\"2026-11-22T10:15:00\"", "occurredAt: must be an ISO-8601 date-time with offset" },
        { "occurredAt", "\"2026-11-22\"", "occurredAt: must be an ISO-8601 date-time with offset" },
        { "occurredAt", "\"22/11/2026 10:15 +01:00\"", "occurredAt: must be an ISO-8601 date-time with offset" },
        { "occurredAt", "1795338900", "occurredAt: must be an ISO-8601 date-time with offset" },
        { "channel", null, "channel: is required" },
        { "channel", "\"Store\"", "channel: must match [a-z0-9_]{1,32}" },
        { "channel", "\"call-center\"", "channel: must match [a-z0-9_]{1,32}" },
        { "channel", "\"store\\n\"", "channel: must match [a-z0-9_]{1,32}" },
        { "channel", Quoted(new string('a', 33)), "channel: must match [a-z0-9_]{1,32}" },
        { "channel", "7", "channel: must be a string" },
        { "type", null, "type: is required" },
        { "type", "\"\"", "type: must match [a-z0-9_.]{1,64}" },
        { "type", "\"Purchase\"", "type: must match [a-z0-9_.]{1,64}" },
        { "type", Quoted(new string('a', 65)), "type: must match [a-z0-9_.]{1,64}" },
        { "type", "\"identity.unlink\"", "type: identity.unlink is written by the unlink and relink routes, not sent" },
        { "type", "\"identity.relink\"", "type: identity.relink is written by the unlink and relink routes, not sent" },
        { "identifiers", null, "identifiers: is required" },
        { "identifiers", "[]", "identifiers: must hold 1 to 20 identifiers" },
        { "identifiers", Cookies(21), "identifiers: must hold 1 to 20 identifiers" },
        { "identifiers", """{ "type": "cookie", "value": "c-1" }""", "identifiers: must be an array" },
        { "identifiers", """["paul@example.com"]""", "identifiers[0]: must be an object" },
        { "identifiers", """[{ "value": "c-1" }]""", "identifiers[0].type: is required" },
        { "identifiers", """[{ "type": 1, "value": "c-1" }]""", "identifiers[0].type: must be a string" },
        { "identifiers", """[{ "type": "E-mail", "value": "paul@example.com" }]""", "identifiers[0].type: must match [a-z0-9_]{1,32}" },
        { "identifiers", """[{ "type": "crm_id", "value": 42 }]""", "identifiers[0].value: must be a string" },
        { "identifiers", """[{ "type": "email" }]""", "identifiers[0]: value or sha256 is required" },
        { "identifiers", """[{ "type": "cookie", "value": "c-1", "sha256": "00" }]""", "identifiers[0]: give either value or sha256, not both" },
        { "identifiers", """[{ "type": "email", "sha256": true }]""", "identifiers[0].sha256: must be a string" },
        { "traits", "[]", "traits: must be an object" },
        { "traits", "\"Paul\"", "traits: must be an object" },
        { "traits", """{ "age": { "years": 42 } }""", "traits.age: must be a string, number, boolean or null" },
        { "traits", """{ "firstName": "Paul", "tags": ["vip"] }""", "traits.tags: must be a string, number, boolean or null" },
        { "traits", """{ "": "x" }""", "traits: names must be 1 to 64 characters" },
        { "traits", $$"""{ "{{new string('n', 65)}}": "x" }""", "traits: names must be 1 to 64 characters" },
        { "properties", "[1, 2]", "properties: must be a JSON object" },
        { "properties", "\"storeId=LYON-2\"", "properties: must be a JSON object" },
    };

    [Theory]
    [MemberData(nameof(BadFields))]
    public void A_bad_field_rejects_the_touchpoint_naming_the_field(string field, string? json, string expected)
    {
        var result = Parse(With(field, json));

        Assert.False(result.IsOk);
        Assert.Null(result.Touchpoint);
        Assert.Equal(expected, result.Error);
    }

    public static TheoryData<string, string> MalformedIdentifiers => new()
    {
        { "\"c-2\"", "identifiers[1]: must be an object" },
        { """{ "value": "c-2" }""", "identifiers[1].type: is required" },
        { """{ "type": 7, "value": "c-2" }""", "identifiers[1].type: must be a string" },
        { """{ "type": "Cookie", "value": "c-2" }""", "identifiers[1].type: must match [a-z0-9_]{1,32}" },
        { """{ "type": "email", "value": "paul@example.com", "sha256": "00" }""", "identifiers[1]: give either value or sha256, not both" },
        { """{ "type": "email" }""", "identifiers[1]: value or sha256 is required" },
        { """{ "type": "crm_id", "value": 42 }""", "identifiers[1].value: must be a string" },
        { """{ "type": "email", "sha256": true }""", "identifiers[1].sha256: must be a string" },
    };

    /// <summary>The shape of an identifier is the client's code, wrong for every touchpoint it sends: unlike a
    /// bad value, it rejects the touchpoint even beside a good identifier.</summary>
    [Theory]
    [MemberData(nameof(MalformedIdentifiers))]
    public void A_malformed_identifier_rejects_the_touchpoint_even_beside_a_good_one(string item, string expected)
    {
        var result = Parse(With("identifiers", $$"""[{ "type": "cookie", "value": "c-1" }, {{item}}]"""));

        Assert.False(result.IsOk);
        Assert.Equal(expected, result.Error);
    }

    public static TheoryData<string, string, string> InvalidValues => new()
    {
        { """{ "type": "phone", "value": "12" }""", "identifiers[0].value", "is not a valid phone number" },
        { """{ "type": "phone", "value": "06 12 34 56 7" }""", "identifiers[0].value", "is not a valid phone number" },
        { """{ "type": "email", "value": "paul@example" }""", "identifiers[0].value", "is not a plausible e-mail address" },
        { """{ "type": "email", "value": "paul.martin.example.com" }""", "identifiers[0].value", "is not a plausible e-mail address" },
        { """{ "type": "email", "sha256": "abc" }""", "identifiers[0].sha256", "must be 64 hexadecimal characters (a SHA-256)" },
        { $$"""{ "type": "email", "sha256": "{{new string('g', 64)}}" }""", "identifiers[0].sha256", "must be 64 hexadecimal characters (a SHA-256)" },
        { """{ "type": "cookie", "value": "" }""", "identifiers[0].value", "must not be empty" },
        { """{ "type": "loyalty_id", "value": "  " }""", "identifiers[0].value", "must not be empty" },
        { $$"""{ "type": "crm_id", "value": "{{new string('x', 513)}}" }""", "identifiers[0].value", "must be at most 512 characters" },
    };

    [Theory]
    [MemberData(nameof(InvalidValues))]
    public void An_invalid_value_alone_rejects_the_touchpoint_naming_the_field_and_why(string item, string field, string detail)
    {
        var result = Parse(With("identifiers", $"[{item}]"));

        Assert.False(result.IsOk);
        Assert.Equal($"{field}: {detail}", result.Error);
        Assert.Equal("pos-77-20261122-0042", result.Id);
    }

    [Theory]
    [MemberData(nameof(InvalidValues))]
    public void An_invalid_value_beside_a_good_one_is_left_out_and_listed_as_ignored(string item, string field, string detail)
    {
        var result = Parse(With("identifiers", $$"""[{{item}}, { "type": "loyalty_id", "value": "FR-000123" }]"""));

        Assert.True(result.IsOk, result.Error);
        Assert.Equal([new IgnoredIdentifier(field, "invalid", detail)], result.Ignored);
        Assert.Equal([Read("loyalty_id", "FR-000123")], result.Touchpoint.Identifiers);
    }

    [Fact]
    public void A_purchase_with_a_loyalty_card_and_a_mistyped_phone_is_a_purchase_on_the_card()
    {
        var identifiers = """
            [{ "type": "loyalty_id", "value": "FR-000123" }, { "type": "email", "value": "paul.martin@example.com" },
             { "type": "phone", "value": "06 12 34 56 7" }]
            """;

        var result = Parse(With("identifiers", identifiers));

        Assert.True(result.IsOk, result.Error);
        Assert.Equal("purchase", result.Touchpoint.Type);
        Assert.Equal(["email", "loyalty_id"], result.Touchpoint.Identifiers.Select(i => i.Type));
        Assert.Equal([IgnoredIdentifier.Invalid("identifiers[2].value", "is not a valid phone number")], result.Ignored);
        Assert.Equal("""{"storeId":"LYON-2","amount":89.90,"currency":"EUR","category":"shoes"}""", result.Touchpoint.PropertiesJson);
    }

    [Fact]
    public void Every_identifier_left_out_is_listed_in_the_order_sent()
    {
        var result = Parse(With("identifiers", """
            [{ "type": "phone", "value": "12" }, { "type": "cookie", "value": "c-1" }, { "type": "email", "value": "" },
             { "type": "email", "sha256": "abc" }]
            """));

        Assert.True(result.IsOk, result.Error);
        Assert.Equal(["identifiers[0].value", "identifiers[2].value", "identifiers[3].sha256"], result.Ignored.Select(i => i.Field));
        Assert.All(result.Ignored, i => Assert.Equal("invalid", i.Reason));
    }

    [Fact]
    public void With_no_usable_identifier_the_error_names_the_first_invalid_one()
    {
        var result = Parse(With("identifiers", """[{ "type": "email", "value": "paul@" }, { "type": "phone", "value": "12" }]"""));

        Assert.Equal("identifiers[0].value: is not a plausible e-mail address", result.Error);
    }

    [Fact]
    public void A_touchpoint_with_no_id_and_an_invalid_value_derives_the_same_id_on_retry_as_without_it()
    {
        var withBadPhone = With("identifiers", """[{ "type": "cookie", "value": "c-1" }, { "type": "phone", "value": "12" }]""", Minimal);

        var first = Parse(withBadPhone, new FakeClock(Now));
        var retry = Parse(withBadPhone, new FakeClock(Now.AddMinutes(5)));

        Assert.True(first.IsOk, first.Error);
        Assert.Equal(first.Id, retry.Id);
        // Ignored identifiers take no part in the derived id: it is a function of what the journey stores.
        Assert.Equal(Parse(Minimal).Id, first.Id);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("42")]
    [InlineData("\"touchpoint\"")]
    [InlineData("null")]
    public void A_touchpoint_must_be_an_object(string json)
    {
        var result = Parse(json);

        Assert.Equal("touchpoint must be a JSON object", result.Error);
        Assert.Null(result.Id);
    }

    [Fact]
    public void A_rejected_touchpoint_still_answers_with_the_client_id()
    {
        var result = Parse(With("channel", "\"Store\""));

        Assert.Equal("pos-77-20261122-0042", result.Id);
    }

    [Fact]
    public void A_rejected_touchpoint_without_id_has_no_id()
    {
        var result = Parse(Without(With("channel", "\"Store\""), "id"));

        Assert.Null(result.Id);
    }

    [Fact]
    public void Without_id_a_retry_derives_the_same_id_even_at_another_receipt_time()
    {
        var first = Parse(Minimal, new FakeClock(Now));
        var retry = Parse(Minimal, new FakeClock(Now.AddMinutes(5)));

        Assert.True(first.IsOk, first.Error);
        Assert.Matches("^h[0-9a-f]{32}$", first.Id!);
        Assert.Equal(first.Id, first.Touchpoint.Id);
        Assert.Equal(first.Id, retry.Id);
        Assert.NotEqual(first.Touchpoint.OccurredAt, retry.Touchpoint!.OccurredAt);
    }

    [Fact]
    public void Without_id_the_order_and_spelling_of_identifiers_do_not_change_the_derived_id()
    {
        var one = Parse(With("identifiers", """[{ "type": "cookie", "value": "c-1" }, { "type": "email", "value": "paul@example.com" }]""", Minimal));
        var other = Parse(With("identifiers", """[{ "type": "email", "value": " PAUL@example.com" }, { "type": "cookie", "value": "c-1" }]""", Minimal));

        Assert.True(one.IsOk, one.Error);
        Assert.StartsWith("h", one.Id);
        Assert.Equal(one.Id, other.Id);
    }

    public static TheoryData<string, string> OtherContent => new()
    {
        { "channel", "\"app\"" },
        { "type", "\"add_to_cart\"" },
        { "occurredAt", "\"2026-11-22T10:15:00+01:00\"" },
        { "identifiers", """[{ "type": "cookie", "value": "c-2" }]""" },
        { "identifiers", """[{ "type": "device_id", "value": "c-1" }]""" },
        { "traits", """{ "city": "Lyon" }""" },
        { "traits", """{ "city": null }""" },
        { "properties", """{ "url": "/shoes" }""" },
        { "properties", "{}" },
    };

    [Theory]
    [MemberData(nameof(OtherContent))]
    public void Without_id_different_content_derives_a_different_id(string field, string json)
    {
        var minimal = Parse(Minimal);
        var changed = Parse(With(field, json, Minimal));

        Assert.True(changed.IsOk, changed.Error);
        Assert.NotEqual(minimal.Id, changed.Id);
    }

    [Fact]
    public void Without_id_trait_names_and_values_cannot_be_shifted_into_the_same_id()
    {
        var one = Parse(With("traits", """{ "a": "1", "b": "2" }""", Minimal));
        var other = Parse(With("traits", """{ "a": "1\",\"b\":\"2" }""", Minimal));

        Assert.NotEqual(one.Id, other.Id);
    }

    [Fact]
    public void Consent_decisions_are_read_with_their_channel_document_and_expiry()
    {
        var result = Parse(With("consent", """
            [ { "purpose": "marketing", "channel": "email", "status": "granted", "document": "privacy-2026-10", "expiresAt": "2027-11-22T10:15:00+01:00" },
              { "purpose": "personalisation", "status": "denied" } ]
            """));

        Assert.True(result.IsOk, result.Error);
        Assert.Empty(result.Ignored);
        Assert.Equal(
            [
                new ConsentDecision("marketing", "email", true, "privacy-2026-10", new DateTimeOffset(2027, 11, 22, 10, 15, 0, TimeSpan.FromHours(1))),
                new ConsentDecision("personalisation", null, false, null, null),
            ],
            result.Touchpoint.Consent);
    }

    [Theory]
    [InlineData("""[ { "purpose": "profiling", "status": "granted" } ]""", "consent[0].purpose", "configured purpose")]
    [InlineData("""[ { "status": "granted" } ]""", "consent[0].purpose", "required")]
    [InlineData("""[ { "purpose": "marketing", "status": "yes" } ]""", "consent[0].status", "granted or denied")]
    [InlineData("""[ { "purpose": "marketing" } ]""", "consent[0].status", "granted or denied")]
    [InlineData("""[ { "purpose": "marketing", "channel": "E-mail", "status": "granted" } ]""", "consent[0].channel", "[a-z0-9_]")]
    [InlineData("""[ { "purpose": "marketing", "status": "granted", "expiresAt": "next year" } ]""", "consent[0].expiresAt", "ISO-8601")]
    [InlineData("""[ { "purpose": "marketing", "status": "granted", "document": 12 } ]""", "consent[0].document", "128")]
    [InlineData("""[ "marketing" ]""", "consent[0]", "object")]
    [InlineData("""{ "purpose": "marketing", "status": "granted" }""", "consent", "array")]
    public void A_bad_decision_is_left_out_and_listed_and_the_touchpoint_lands(string consent, string field, string why)
    {
        var result = Parse(With("consent", consent));

        Assert.True(result.IsOk, result.Error);
        Assert.Empty(result.Touchpoint.Consent);
        var ignored = Assert.Single(result.Ignored);
        Assert.Equal((field, IgnoredIdentifier.InvalidReason), (ignored.Field, ignored.Reason));
        Assert.Contains(why, ignored.Detail);
    }

    [Fact]
    public void An_over_long_document_is_left_out_while_the_other_decisions_land()
    {
        var result = Parse(With("consent", $$"""
            [ { "purpose": "marketing", "status": "granted", "document": "{{new string('v', ConsentDecision.MaxDocumentLength + 1)}}" },
              { "purpose": "analytics", "status": "denied", "document": "{{new string('v', ConsentDecision.MaxDocumentLength)}}" } ]
            """, Minimal));

        Assert.True(result.IsOk, result.Error);
        Assert.Equal("analytics", Assert.Single(result.Touchpoint.Consent).Purpose);
        Assert.Equal("consent[0].document", Assert.Single(result.Ignored).Field);
    }

    [Fact]
    public void A_derived_id_covers_the_consent_and_stays_as_it_was_without_it()
    {
        var plain = Parse(Minimal);
        var withoutConsent = Parse(With("consent", "[]", Minimal));
        var granted = Parse(With("consent", """[ { "purpose": "marketing", "channel": "sms", "status": "granted" } ]""", Minimal));
        var denied = Parse(With("consent", """[ { "purpose": "marketing", "channel": "sms", "status": "denied" } ]""", Minimal));
        var badOnly = Parse(With("consent", """[ { "purpose": "profiling", "status": "denied" } ]""", Minimal));
        var reordered = Parse(With("consent", """[ { "purpose": "analytics", "status": "denied" }, { "purpose": "marketing", "status": "denied" } ]""", Minimal));
        var ordered = Parse(With("consent", """[ { "purpose": "marketing", "status": "denied" }, { "purpose": "analytics", "status": "denied" } ]""", Minimal));

        Assert.Equal(plain.Id, withoutConsent.Id);
        Assert.Equal(plain.Id, badOnly.Id);
        Assert.NotEqual(plain.Id, granted.Id);
        Assert.NotEqual(granted.Id, denied.Id);
        Assert.Equal(ordered.Id, reordered.Id);
    }

    private static TouchpointParseResult Parse(string json, TimeProvider? clock = null)
    {
        var parser = new TouchpointParser(Reader, IdentityRules.None, clock ?? new FakeClock(Now), ConsentPurposes.Shipped);
        using var document = JsonDocument.Parse(json);
        return parser.Parse(document.RootElement);
    }

    /// <summary>The purchase example (or <paramref name="baseJson"/>) with one field replaced, or removed when null.</summary>
    private static string With(string field, string? json, string baseJson = PurchaseExample)
    {
        var touchpoint = JsonNode.Parse(baseJson)!.AsObject();
        if (json is null)
            touchpoint.Remove(field);
        else
            touchpoint[field] = JsonNode.Parse(json);
        return touchpoint.ToJsonString();
    }

    private static string Without(string json, string field) => With(field, null, json);

    private static string Quoted(string text) => JsonSerializer.Serialize(text);

    private static string Cookies(int count) =>
        "[" + string.Join(",", Enumerable.Range(1, count).Select(i => $$"""{ "type": "cookie", "value": "c-{{i}}" }""")) + "]";

    /// <summary>A properties object whose compact UTF-8 form is exactly <paramref name="bytes"/> long.</summary>
    private static string PropertiesOfSize(int bytes)
    {
        const string prefix = """{"blob":""", suffix = "}";
        var text = new string('x', bytes - prefix.Length - suffix.Length - 2);
        return prefix + "\"" + text + "\"" + suffix;
    }
}
