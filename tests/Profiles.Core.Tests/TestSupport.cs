using System.Text;
using Profiles.Core.Identifiers;
using Profiles.Core.Touchpoints;

namespace Profiles.Core.Tests;

/// <summary>A clock the test sets by hand, so "now" in the parser is whatever the specification says.</summary>
internal sealed class FakeClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now.ToUniversalTime();
}

/// <summary>The identifier pipeline as a node configured with region FR and a known hash key would build it.</summary>
internal static class TestIdentifiers
{
    public const string HashKeyText = "profiles-test-key";

    public static byte[] HashKey => Encoding.UTF8.GetBytes(HashKeyText);

    public static IdentifierNormalizer Normalizer { get; } = new("FR");

    public static IdentifierHasher Hasher { get; } = new(HashKey);

    public static IdentifierReader Reader { get; } = new(Normalizer, Hasher);

    public static IdentifierRef Read(string type, string value)
    {
        Assert.True(Reader.TryRead(type, value, null, out var identifier, out var error), error);
        return identifier;
    }

    public static string KeyOf(string type, string value) => Read(type, value).Key;
}
