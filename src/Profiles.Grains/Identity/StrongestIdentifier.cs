using Profiles.Core.Profiles;
using Profiles.Core.Rules;
using Profiles.Core.Touchpoints;

namespace Profiles.Grains.Identity;

public static class StrongestIdentifier
{
    /// <summary>The key of the strongest identifier a profile holds: what names it when its component is resolved
    /// again (the part holding it keeps the profile's id); null while it holds none.</summary>
    public static string? Of(ProfileContent content, IdentityRules rules) =>
        content.Identifiers.Count == 0 ? null
        : content.Identifiers.Select(i => new IdentifierRef(i.Value.Type, i.Key, i.Value.Hint, i.Value.FromHash)).Min(Comparer<IdentifierRef>.Create(rules.Compare))!.Key;
}
