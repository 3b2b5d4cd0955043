using Profiles.Core.Identifiers;
using static Profiles.Testing.TestIdentifiers;

namespace Profiles.Core.Tests;

/// <summary>Normalisation (docs/API.md, "Touchpoints in"): the same value in any spelling is one identifier.</summary>
public class IdentifierNormalizationTests
{
    [Theory]
    [InlineData(" Paul.Martin@Example.COM ")]
    [InlineData("paul.martin@example.com")]
    [InlineData("PAUL.MARTIN@EXAMPLE.COM")]
    [InlineData("\tpaul.martin@example.com\n")]
    public void Every_spelling_of_an_email_is_one_identifier(string spelling)
    {
        Assert.True(Normalizer.TryNormalize("email", spelling, out var normalised, out _));
        Assert.Equal("paul.martin@example.com", normalised);
        Assert.Equal(KeyOf("email", "paul.martin@example.com"), KeyOf("email", spelling));
    }

    [Theory]
    [InlineData("06 12 34 56 78")]
    [InlineData("+33612345678")]
    [InlineData("0033 6 12 34 56 78")]
    [InlineData("+33 (0)6 12 34 56 78")]
    [InlineData("06.12.34.56.78")]
    [InlineData(" 0612345678 ")]
    [InlineData("06-12-34-56-78")]
    public void Every_spelling_of_a_phone_number_is_one_identifier_in_E164(string spelling)
    {
        Assert.True(Normalizer.TryNormalize("phone", spelling, out var normalised, out var error), error);
        Assert.Equal("+33612345678", normalised);
        Assert.Equal(KeyOf("phone", "+33612345678"), KeyOf("phone", spelling));
    }

    [Fact]
    public void National_numbers_are_read_in_the_default_region_and_international_ones_keep_their_country()
    {
        var british = new IdentifierNormalizer("GB");

        Assert.True(british.TryNormalize("phone", "020 7946 0958", out var national, out _));
        Assert.True(Normalizer.TryNormalize("phone", "+44 20 7946 0958", out var international, out _));

        Assert.Equal("+442079460958", national);
        Assert.Equal(national, international);
    }

    [Fact]
    public void An_unknown_default_region_is_refused_at_start_up()
    {
        Assert.Throws<ArgumentException>(() => new IdentifierNormalizer("XX"));
    }

    [Theory]
    [InlineData("email", "paul.martin@example.com", "paula.martin@example.com")]
    [InlineData("phone", "06 12 34 56 78", "06 12 34 56 79")]
    [InlineData("crm_id", "CRM-000042", "CRM-000043")]
    [InlineData("crm_id", "ab-1", "AB-1")]
    public void Different_values_are_different_identifiers(string type, string one, string other)
    {
        Assert.NotEqual(KeyOf(type, one), KeyOf(type, other));
    }

    [Fact]
    public void The_same_value_under_two_types_is_two_identifiers()
    {
        Assert.NotEqual(KeyOf("crm_id", "000123"), KeyOf("loyalty_id", "000123"));
    }

    [Theory]
    [InlineData("crm_id", " CRM-000042 ", "CRM-000042")]
    [InlineData("loyalty_id", "FR-000123", "FR-000123")]
    [InlineData("customer_id", "\tCust-7\t", "Cust-7")]
    [InlineData("cookie", " 3f1c-AB ", "3f1c-AB")]
    [InlineData("device_id", "IDFA-1234", "IDFA-1234")]
    [InlineData("app_user_id", " u42", "u42")]
    [InlineData("shopify_id", " Gid-9 ", "Gid-9")]
    public void Opaque_ids_are_only_trimmed_and_keep_their_case(string type, string value, string expected)
    {
        Assert.True(Normalizer.TryNormalize(type, value, out var normalised, out _));
        Assert.Equal(expected, normalised);
    }

    [Theory]
    [InlineData("paul.martin")]
    [InlineData("paul@@example.com")]
    [InlineData("paul@martin@example.com")]
    [InlineData("@example.com")]
    [InlineData("paul@")]
    [InlineData("paul@example")]
    [InlineData("paul@.example.com")]
    [InlineData("paul@example.com.")]
    [InlineData("paul@example..com")]
    [InlineData("paul martin@example.com")]
    [InlineData("paul@exa mple.com")]
    public void Implausible_emails_are_rejected(string value)
    {
        Assert.False(Normalizer.TryNormalize("email", value, out _, out var error));
        Assert.Equal("is not a plausible e-mail address", error);
    }

    [Theory]
    [InlineData("12")]
    [InlineData("abc")]
    [InlineData("0000000000")]
    [InlineData("06 12 34")]
    [InlineData("+33 6 12 34 56 78 90")]
    [InlineData("not a number")]
    public void Invalid_phone_numbers_are_rejected(string value)
    {
        Assert.False(Normalizer.TryNormalize("phone", value, out _, out var error));
        Assert.Equal("is not a valid phone number", error);
    }

    [Theory]
    [InlineData("email", "   ", "must not be empty")]
    [InlineData("cookie", "", "must not be empty")]
    [InlineData("Email", "paul@example.com", "must match [a-z0-9_]{1,32}")]
    [InlineData("e-mail", "paul@example.com", "must match [a-z0-9_]{1,32}")]
    [InlineData("email\n", "paul@example.com", "must match [a-z0-9_]{1,32}")]
    [InlineData("", "x", "must match [a-z0-9_]{1,32}")]
    public void Empty_values_and_malformed_types_are_rejected(string type, string value, string expected)
    {
        Assert.False(Normalizer.TryNormalize(type, value, out _, out var error));
        Assert.Equal(expected, error);
    }

    [Fact]
    public void Values_are_limited_to_512_characters()
    {
        Assert.True(Normalizer.TryNormalize("cookie", new string('c', 512), out _, out _));

        Assert.False(Normalizer.TryNormalize("cookie", new string('c', 513), out _, out var error));
        Assert.Equal("must be at most 512 characters", error);
    }
}
