using Profiles.Core.Identifiers;
using static Profiles.Testing.TestIdentifiers;

namespace Profiles.Core.Tests;

/// <summary>Hints (docs/API.md, "The profile"): staff screens see a masked hint, never the value.</summary>
public class IdentifierHintTests
{
    [Theory]
    [InlineData("email", "paul.martin@example.com", "p***@example.com")]
    [InlineData("phone", "+33612345678", "+33 6** ** ** 78")]
    [InlineData("phone", "+33145678901", "+33 1** ** ** 01")]
    [InlineData("phone", "+442079460958", "+44 2* **** **58")]
    [InlineData("phone", "+16502530000", "+1 6**-***-**00")]
    [InlineData("crm_id", "CRM-000042", "CRM-***42")]
    [InlineData("loyalty_id", "FR-000123", "F***23")]
    [InlineData("cookie", "abcd", "***")]
    [InlineData("cookie", "abcde", "a***de")]
    public void Hints_show_only_what_staff_need_to_recognise_the_identifier(string type, string normalised, string expected)
    {
        Assert.Equal(expected, IdentifierHint.Mask(type, normalised));
    }

    [Theory]
    [InlineData("email", " Paul.Martin@Example.COM ", "p***@example.com")]
    [InlineData("phone", "06 12 34 56 78", "+33 6** ** ** 78")]
    [InlineData("crm_id", " CRM-000042", "CRM-***42")]
    public void The_hint_is_made_from_the_normalised_value(string type, string value, string expected)
    {
        Assert.Equal(expected, Read(type, value).Hint);
    }

    [Fact]
    public void An_identifier_received_only_as_a_hash_shows_that_it_was_hashed()
    {
        Assert.Equal("(hashed)", IdentifierHint.Hashed);
    }

    [Theory]
    [InlineData("email", "paul.martin@example.com", "paul.martin")]
    [InlineData("email", "ab@example.com", "ab")]
    [InlineData("phone", "+33612345678", "612345678")]
    [InlineData("phone", "+442079460958", "2079460958")]
    [InlineData("crm_id", "CRM-000042", "CRM-000042")]
    [InlineData("cookie", "a1b2c3d4e5f6a7b8c9d0", "a1b2c3d4e5f6a7b8c9d0")]
    [InlineData("cookie", "abcde", "abcde")]
    [InlineData("cookie", "abcd", "abcd")]
    [InlineData("cookie", "a", "a")]
    public void A_hint_never_contains_the_secret_part_of_the_value(string type, string normalised, string secret)
    {
        var hint = IdentifierHint.Mask(type, normalised);

        Assert.DoesNotContain(secret, hint.Replace(" ", "").Replace("-", ""));
        Assert.DoesNotContain(normalised, hint);
    }

    [Fact]
    public void A_hint_never_splits_a_surrogate_pair()
    {
        var hint = IdentifierHint.Mask("cookie", "abc\U0001F600defg\U0001F600h");

        Assert.Equal("abc***h", hint);
    }
}
