using Profiles.Core.Touchpoints;

namespace Profiles.Core.Rules;

/// <summary>How one identifier type may link. <paramref name="Priority"/>: 1 is the strongest (a CRM id),
/// larger numbers weaker (a cookie). <paramref name="Limit"/>: the most distinct values of this type one
/// profile may hold; null is unlimited.</summary>
public sealed record IdentifierRule(int Priority, int? Limit);

/// <summary>
/// The protection against over-merging (docs/API.md, "Identity rules in short"): per-type priorities and limits, and values that
/// never link. A touchpoint goes to the profile of its highest-priority identifier, and a link that would give a
/// profile more values of a type than its limit is refused.
/// </summary>
public sealed class IdentityRules
{
    /// <summary>Types not configured: weakest priority, unlimited.</summary>
    public static readonly IdentifierRule Unconfigured = new(int.MaxValue, null);

    private readonly IReadOnlyDictionary<string, IdentifierRule> _byType;

    public IdentityRules(IReadOnlyDictionary<string, IdentifierRule> byType, BlockedValues blocked)
    {
        _byType = byType;
        Blocked = blocked;
        LimitedTypes = byType.Where(r => r.Value.Limit is not null).Select(r => r.Key).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>No priorities, no limits, nothing blocked.</summary>
    public static IdentityRules None { get; } = new(new Dictionary<string, IdentifierRule>(), BlockedValues.None);

    public BlockedValues Blocked { get; }

    /// <summary>The types with a rule of their own; every other type is <see cref="Unconfigured"/>.</summary>
    public IReadOnlyDictionary<string, IdentifierRule> Configured => _byType;

    public IReadOnlySet<string> LimitedTypes { get; }

    public IdentifierRule For(string type) => _byType.GetValueOrDefault(type, Unconfigured);

    /// <summary>Strongest first: by priority, then type, then key, so ties are decided the same way everywhere.</summary>
    public int Compare(IdentifierRef a, IdentifierRef b)
    {
        var byPriority = For(a.Type).Priority.CompareTo(For(b.Type).Priority);
        if (byPriority != 0) return byPriority;
        var byType = string.CompareOrdinal(a.Type, b.Type);
        return byType != 0 ? byType : string.CompareOrdinal(a.Key, b.Key);
    }

}
