using System.Text;
using System.Text.Json;
using Profiles.Core.Consent;
using Profiles.Core.Identifiers;
using Profiles.Core.Rules;
using Profiles.Core.Touchpoints;

namespace Profiles.Core.Tests;

/// <summary>Identity rules (docs/API.md, "Identity rules in short") in Core: blocked placeholder values and the order of strength of identifiers.</summary>
public class IdentityRulesTests
{
    private static readonly IdentifierReader Reader = new(new IdentifierNormalizer("FR"), new IdentifierHasher(Encoding.UTF8.GetBytes("k")));

    private static readonly IdentityRules Rules = new(
        new Dictionary<string, IdentifierRule>
        {
            ["crm_id"] = new(1, 1),
            ["email"] = new(3, 5),
            ["cookie"] = new(7, null),
        },
        BlockedValues.From(new Dictionary<string, IReadOnlyList<string>>
        {
            ["*"] = ["unknown", "n/a"],
            ["email"] = ["test@test.com"],
            ["phone"] = ["0000000000", "06 99 99 99 99"],
        }, Reader));

    [Theory]
    [InlineData("email", " TEST@test.com ")]
    [InlineData("email", "Unknown")]
    [InlineData("cookie", "n/a")]
    [InlineData("phone", "0000000000")]
    [InlineData("phone", "+33 6 99 99 99 99")]
    public void A_blocked_value_in_any_spelling_is_left_out_and_noted(string type, string value)
    {
        var result = Parse($$"""{ "channel": "web", "type": "login", "identifiers": [ { "type": "cookie", "value": "c-1" }, { "type": "{{type}}", "value": "{{value}}" } ] }""");

        Assert.True(result.IsOk, result.Error);
        Assert.Equal([new IgnoredIdentifier("identifiers[1].value", "blocked", "is a blocked placeholder value")], result.Ignored);
        Assert.Equal(["cookie"], result.Touchpoint.Identifiers.Select(i => i.Type));
    }

    [Fact]
    public void The_sha256_of_a_blocked_value_is_blocked_too()
    {
        var sha = IdentifierHasher.Sha256Hex("test@test.com");

        var result = Parse($$"""{ "channel": "crm", "type": "import", "identifiers": [ { "type": "crm_id", "value": "C1" }, { "type": "email", "sha256": "{{sha}}" } ] }""");

        Assert.Equal([IgnoredIdentifier.Blocked("identifiers[1].sha256")], result.Ignored);
    }

    [Fact]
    public void A_touchpoint_left_with_no_usable_identifier_is_rejected_with_a_clear_error()
    {
        var result = Parse("""{ "channel": "store", "type": "purchase", "identifiers": [ { "type": "email", "value": "test@test.com" }, { "type": "phone", "value": "0000000000" } ] }""");

        Assert.False(result.IsOk);
        Assert.StartsWith("identifiers: every identifier is a blocked placeholder value", result.Error);
    }

    [Fact]
    public void With_blocked_and_invalid_values_only_the_error_names_the_invalid_one_a_client_can_correct()
    {
        var result = Parse("""{ "channel": "store", "type": "purchase", "identifiers": [ { "type": "email", "value": "test@test.com" }, { "type": "phone", "value": "06 12" } ] }""");

        Assert.False(result.IsOk);
        Assert.Equal("identifiers[1].value: is not a valid phone number", result.Error);
    }

    [Fact]
    public void Blocked_and_invalid_values_beside_a_good_one_are_each_listed_with_their_reason()
    {
        var result = Parse("""{ "channel": "store", "type": "purchase", "identifiers": [ { "type": "email", "value": "test@test.com" }, { "type": "phone", "value": "06 12" }, { "type": "crm_id", "value": "C-9" } ] }""");

        Assert.True(result.IsOk, result.Error);
        Assert.Equal(
            [IgnoredIdentifier.Blocked("identifiers[0].value"), IgnoredIdentifier.Invalid("identifiers[1].value", "is not a valid phone number")],
            result.Ignored);
    }

    [Fact]
    public void Identifiers_come_strongest_first_whatever_the_order_sent()
    {
        var result = Parse("""{ "channel": "web", "type": "login", "identifiers": [ { "type": "cookie", "value": "c-1" }, { "type": "email", "value": "p@example.com" }, { "type": "crm_id", "value": "C-9" } ] }""");

        Assert.Equal(["crm_id", "email", "cookie"], result.Touchpoint!.Identifiers.Select(i => i.Type));
    }

    private static TouchpointParseResult Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return new TouchpointParser(Reader, Rules, TimeProvider.System, ConsentPurposes.Shipped).Parse(document.RootElement);
    }
}
