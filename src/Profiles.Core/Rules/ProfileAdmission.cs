using Profiles.Core.Profiles;
using Profiles.Core.Touchpoints;

namespace Profiles.Core.Rules;

/// <summary>
/// Decides, touchpoint by touchpoint in arrival order, which identifiers a profile takes: every identifier it
/// already holds, and each new one its type's limit still admits. A touchpoint whose strongest identifier (its
/// anchor, first in its list) is refused does not belong to this profile at all.
/// </summary>
public sealed class ProfileAdmission(ProfileContent content, IdentityRules rules)
{
    private readonly LimitCheck _limits = new(rules, content);

    /// <param name="touchpoint">Identifiers strongest first, as the parser orders them.</param>
    /// <param name="admitted">The touchpoint as the profile takes it: refused identifiers moved to its refused links.</param>
    /// <returns>False when its anchor cannot join this profile, so it must go elsewhere.</returns>
    public bool TryAdmit(Touchpoint touchpoint, out Touchpoint admitted)
    {
        admitted = touchpoint;
        List<IdentifierRef>? kept = null;
        List<RefusedLink>? refused = null;
        for (var i = 0; i < touchpoint.Identifiers.Count; i++)
        {
            var identifier = touchpoint.Identifiers[i];
            if (_limits.TryTake(identifier))
            {
                kept?.Add(identifier);
                continue;
            }
            if (i == 0) return false;
            kept ??= [.. touchpoint.Identifiers.Take(i)];
            (refused ??= []).Add(RefusedLink.OverLimit(identifier, touchpoint));
        }
        if (kept is not null) admitted = touchpoint with { Identifiers = kept, RefusedLinks = [.. touchpoint.RefusedLinks, .. refused!] };
        return true;
    }
}
