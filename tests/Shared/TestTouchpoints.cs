using System.Text;
using Profiles.Core.Identifiers;
using Profiles.Core.Touchpoints;

namespace Profiles.Tests;

/// <summary>Builds valid touchpoints the way the HTTP layer would, with a fixed test hash key.</summary>
public static class TestTouchpoints
{
    public static readonly IdentifierReader Reader =
        new(new IdentifierNormalizer("FR"), new IdentifierHasher(Encoding.UTF8.GetBytes("test-hash-key")));

    public static string KeyOf(string type, string value) =>
        Reader.TryRead(type, value, null, out var identifier, out var error) ? identifier.Key : throw new ArgumentException(error);

    public static Touchpoint Make(
        string id,
        DateTimeOffset occurredAt,
        string channel,
        string type,
        IEnumerable<(string Type, string Value)> identifiers,
        IEnumerable<(string Name, string? ValueJson)>? traits = null) =>
        new(id, occurredAt, channel, type,
            [.. identifiers.Select(i => Reader.TryRead(i.Type, i.Value, null, out var identifier, out var error) ? identifier : throw new ArgumentException(error))],
            [.. (traits ?? []).Select(t => new TraitWrite(t.Name, t.ValueJson))],
            null);
}
