using Profiles.Core.Profiles;
using Profiles.Core.Touchpoints;

namespace Profiles.Core.Rules;

/// <summary>
/// The one place identity-rule limits are checked (the most distinct values of a type one profile may hold):
/// the identifiers one profile would hold, counted per limited type. Admission into a profile, the merge of two
/// profiles and the ingestor's look-ahead before a merge all ask it, so they cannot disagree on what a limit
/// allows. Only limited types are tracked, so the many cookies of a profile cost nothing here.
/// </summary>
public sealed class LimitCheck
{
    private readonly IdentityRules _rules;
    private readonly ProfileContent? _basis;
    private readonly Dictionary<string, HashSet<string>> _added = new(StringComparer.Ordinal);

    /// <param name="rules">The limits.</param>
    /// <param name="basis">A profile whose identifiers are held already. Its per-type counts are cached by the
    /// content, so starting from a large profile costs no scan.</param>
    public LimitCheck(IdentityRules rules, ProfileContent? basis = null) => (_rules, _basis) = (rules, basis);

    /// <summary>True while no limited type holds more values than its limit.</summary>
    public bool Fits => _rules.LimitedTypes.All(type => _rules.For(type).Limit is not { } limit || CountOf(type) <= limit);

    /// <summary>Takes the identifier if it is held already or its type's limit still admits one more value.</summary>
    /// <returns>False, changing nothing, when the limit refuses it.</returns>
    public bool TryTake(IdentifierRef identifier)
    {
        if (!IsLimited(identifier.Type) || Holds(identifier.Type, identifier.Key)) return true;
        if (_rules.For(identifier.Type).Limit is { } limit && CountOf(identifier.Type) >= limit) return false;
        Added(identifier.Type).Add(identifier.Key);
        return true;
    }

    /// <summary>Counts identifiers as held whether or not they fit; ask <see cref="Fits"/> afterwards.</summary>
    public LimitCheck Including(IEnumerable<IdentifierRef> identifiers)
    {
        foreach (var identifier in identifiers) Include(identifier.Type, identifier.Key);
        return this;
    }

    /// <inheritdoc cref="Including(IEnumerable{IdentifierRef})"/>
    public LimitCheck Including(ProfileContent content)
    {
        foreach (var (key, activity) in content.Identifiers) Include(activity.Type, key);
        return this;
    }

    /// <inheritdoc cref="Including(IEnumerable{IdentifierRef})"/>
    public LimitCheck Including(LimitedKeys keys)
    {
        foreach (var (type, ofType) in keys.KeysByType)
        {
            foreach (var key in ofType) Include(type, key);
        }
        return this;
    }

    /// <summary>The identifiers of limited types held, by type: what another check needs to foresee a merge.</summary>
    public static LimitedKeys LimitedKeysOf(ProfileContent content, IdentityRules rules)
    {
        var check = new LimitCheck(rules).Including(content);
        return new LimitedKeys(check._added.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal));
    }

    private void Include(string type, string key)
    {
        if (IsLimited(type) && !Holds(type, key)) Added(type).Add(key);
    }

    private bool IsLimited(string type) => _rules.LimitedTypes.Contains(type);

    private bool Holds(string type, string key) =>
        _basis?.Identifiers.ContainsKey(key) == true || (_added.TryGetValue(type, out var added) && added.Contains(key));

    private int CountOf(string type) => (_basis?.CountOf(type) ?? 0) + (_added.TryGetValue(type, out var added) ? added.Count : 0);

    private HashSet<string> Added(string type)
    {
        if (!_added.TryGetValue(type, out var added)) _added[type] = added = new HashSet<string>(StringComparer.Ordinal);
        return added;
    }
}

/// <summary>A profile's identifier keys of limited types, by type: all a limit check needs of it.</summary>
public sealed record LimitedKeys(IReadOnlyDictionary<string, string[]> KeysByType);
