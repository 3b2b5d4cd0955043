using Profiles.Core.Identifiers;
using Profiles.Core.Touchpoints;

namespace Profiles.Core.Rules;

/// <summary>
/// Placeholder values that must never link anyone (test@test.com, 0000000000, unknown, ...). A value is
/// blocked when its trimmed, lower-cased spelling is listed (for its type, or under "*" for every type), which
/// catches placeholders that are not even valid (a phone of zeros); or when its stored key is the key of a
/// listed value, which catches every other spelling of it and its SHA-256.
/// </summary>
public sealed class BlockedValues
{
    public const string AnyType = "*";

    private readonly Dictionary<string, HashSet<string>> _spellings;
    private readonly HashSet<string> _keys;

    private BlockedValues(Dictionary<string, HashSet<string>> spellings, HashSet<string> keys) => (_spellings, _keys) = (spellings, keys);

    public static BlockedValues None { get; } = new([], []);

    public static BlockedValues From(IReadOnlyDictionary<string, IReadOnlyList<string>> valuesByType, IdentifierReader reader)
    {
        var spellings = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (type, values) in valuesByType)
        {
            spellings[type] = [.. values.Select(Spelling)];
            if (type == AnyType) continue;
            foreach (var value in values)
            {
                if (reader.TryRead(type, value, null, out var identifier, out _)) keys.Add(identifier.Key);
            }
        }
        return new BlockedValues(spellings, keys);
    }

    /// <summary>Checked before normalisation, so a placeholder that is not even valid (a phone of zeros) is
    /// reported as blocked, which says more than invalid.</summary>
    public bool IsBlockedSpelling(string type, string value)
    {
        var spelling = Spelling(value);
        return (_spellings.TryGetValue(type, out var ofType) && ofType.Contains(spelling))
            || (_spellings.TryGetValue(AnyType, out var ofAny) && ofAny.Contains(spelling));
    }

    public bool IsBlocked(IdentifierRef identifier) => _keys.Contains(identifier.Key);

    /// <summary>How many distinct values are listed, per type (<see cref="AnyType"/> for every type).</summary>
    public IReadOnlyDictionary<string, int> CountsByType() =>
        _spellings.Where(type => type.Value.Count > 0).ToDictionary(type => type.Key, type => type.Value.Count, StringComparer.Ordinal);

    private static string Spelling(string value) => value.Trim().ToLowerInvariant();
}
