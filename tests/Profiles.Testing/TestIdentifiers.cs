using System.Text;
using Profiles.Contracts;
using Profiles.Core.Identifiers;
using Profiles.Core.Touchpoints;

namespace Profiles.Testing;

/// <summary>The identifier pipeline as a node configured with region FR and a known hash key would build it.</summary>
public static class TestIdentifiers
{
    public const string HashKeyText = "profiles-test-key";

    public static byte[] HashKey => Encoding.UTF8.GetBytes(HashKeyText);

    public static IdentifierNormalizer Normalizer { get; } = new("FR");

    public static IdentifierHasher Hasher { get; } = new(HashKey);

    public static IdentifierReader Reader { get; } = new(Normalizer, Hasher);

    public static IdentifierRef Read(string type, string value) => Read(new IdentifierInput(type, value));

    public static IdentifierRef Read(IdentifierInput sent)
    {
        Assert.True(Reader.TryRead(sent.Type, sent.Value, sent.Sha256, out var identifier, out var error), error);
        return identifier;
    }

    public static string KeyOf(string type, string value) => Read(type, value).Key;

    /// <summary>The identifier as a client that never holds the clear value sends it: the SHA-256 of the normalised value.</summary>
    public static IdentifierInput Hashed(string type, string normalised) => new(type, Sha256: IdentifierHasher.Sha256Hex(normalised));
}
