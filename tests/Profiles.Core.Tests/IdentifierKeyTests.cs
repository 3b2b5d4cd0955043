using System.Security.Cryptography;
using System.Text;
using Profiles.Core.Identifiers;
using static Profiles.Testing.TestIdentifiers;

namespace Profiles.Core.Tests;

/// <summary>
/// The stored key (docs/API.md, "Touchpoints in") is HMAC-SHA256(HashKey, type + ":" + hex(SHA-256(normalised value))),
/// so a sha256 input links to the same identifier as the clear value.
/// </summary>
public class IdentifierKeyTests
{
    private const string PaulSha256 = "fc15b2037c380afa50e7c09359f97ba1370cd472a70f4da87c36b0b09129dcb3";

    [Fact]
    public void Sha256Hex_is_lower_case_hex_of_the_utf8_bytes()
    {
        Assert.Equal(PaulSha256, IdentifierHasher.Sha256Hex("paul.martin@example.com"));
    }

    [Fact]
    public void The_key_is_the_documented_formula_computed_independently()
    {
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(HashKeyText));
        var sha = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes("+33612345678"))).ToLowerInvariant();
        var expected = Convert.ToHexString(hmac.ComputeHash(Encoding.UTF8.GetBytes("phone:" + sha))).ToLowerInvariant();

        Assert.Equal(expected, KeyOf("phone", "06 12 34 56 78"));
    }

    [Fact]
    public void The_key_matches_a_vector_computed_outside_dotnet()
    {
        // python3: hmac.new(b"profiles-test-key", ("email:" + sha256(b"paul.martin@example.com").hexdigest()).encode(), sha256)
        Assert.Equal("c4b9dd36480a76f84211f3e5a6bc437a53d38c521b9abd6995fbf650635ffa97", KeyOf("email", " Paul.Martin@Example.COM "));
    }

    [Theory]
    [InlineData("email", " Paul.Martin@Example.COM ", PaulSha256)]
    [InlineData("email", "paul.martin@example.com", "FC15B2037C380AFA50E7C09359F97BA1370CD472A70F4DA87C36B0B09129DCB3")]
    [InlineData("phone", "06 12 34 56 78", "42d573cfc315801d4cd8eddd5416b416a0bf298b9b9e12d6b07442c91db42bd8")]
    public void A_sha256_of_the_normalised_value_links_to_the_same_identifier_as_the_clear_value(string type, string value, string sha256)
    {
        Assert.True(Reader.TryRead(type, null, sha256, out var hashed, out var error), error);
        var clear = Read(type, value);

        Assert.Equal(clear.Key, hashed.Key);
        Assert.True(hashed.FromHash);
        Assert.False(clear.FromHash);
        Assert.Equal(IdentifierHint.Hashed, hashed.Hint);
    }

    [Fact]
    public void Another_hash_key_gives_other_stored_keys()
    {
        var other = new IdentifierReader(Normalizer, new IdentifierHasher(Encoding.UTF8.GetBytes("another-key")));
        Assert.True(other.TryRead("email", "paul.martin@example.com", null, out var identifier, out _));

        Assert.NotEqual(KeyOf("email", "paul.martin@example.com"), identifier.Key);
    }

    [Fact]
    public void The_hasher_keeps_its_own_copy_of_the_key()
    {
        var key = Encoding.UTF8.GetBytes(HashKeyText);
        var hasher = new IdentifierHasher(key);
        Array.Clear(key);

        Assert.Equal(Hasher.KeyOf("email", PaulSha256), hasher.KeyOf("email", PaulSha256));
    }

    [Fact]
    public void An_empty_hash_key_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new IdentifierHasher([]));
    }

    [Theory]
    [InlineData("paul@example.com", PaulSha256, "give either value or sha256, not both")]
    [InlineData(null, null, "value or sha256 is required")]
    [InlineData(null, "fc15b2", "must be 64 hexadecimal characters (a SHA-256)")]
    [InlineData(null, "zc15b2037c380afa50e7c09359f97ba1370cd472a70f4da87c36b0b09129dcb3", "must be 64 hexadecimal characters (a SHA-256)")]
    [InlineData("paul@example", null, "is not a plausible e-mail address")]
    public void Unreadable_identifiers_are_refused_with_a_reason_and_no_field_name(string? value, string? sha256, string expected)
    {
        Assert.False(Reader.TryRead("email", value, sha256, out _, out var error));
        Assert.Equal(expected, error);
    }

    [Fact]
    public void A_hash_only_identifier_still_needs_a_well_formed_type()
    {
        Assert.False(Reader.TryRead("E-Mail", null, PaulSha256, out _, out var error));
        Assert.Equal("must match [a-z0-9_]{1,32}", error);
    }
}
