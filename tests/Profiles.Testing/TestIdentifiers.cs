using System.Text;
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

    public static IdentifierRef Read(string type, string value) => Read(new IdentifierSpec(type, value));

    public static IdentifierRef Read(IdentifierSpec sent)
    {
        Assert.True(Reader.TryRead(sent.Type, sent.Value, sent.Sha256, out var identifier, out var error), error);
        return identifier;
    }

    public static string KeyOf(string type, string value) => Read(type, value).Key;
}
