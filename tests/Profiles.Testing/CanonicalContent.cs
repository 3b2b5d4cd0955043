using System.Text;
using Profiles.Core.Profiles;

namespace Profiles.Testing;

/// <summary>A profile's content as text with every collection in a fixed order, so two contents compare as strings.</summary>
public static class CanonicalContent
{
    public static string Of(ProfileContent content)
    {
        var text = new StringBuilder();
        text.AppendLine($"touchpoints {content.Touchpoints} {content.FirstSeen:O} {content.LastSeen:O}");
        foreach (var (key, i) in content.Identifiers.OrderBy(e => e.Key, StringComparer.Ordinal))
            text.AppendLine($"identifier {key} {i.Type} {i.Hint} {i.FromHash} {i.FirstSeen:O} {i.LastSeen:O}");
        foreach (var (name, t) in content.Traits.OrderBy(e => e.Key, StringComparer.Ordinal))
            text.AppendLine($"trait {name}={t.ValueJson ?? "(removed)"} {t.At:O} {t.TouchpointId}");
        foreach (var (name, c) in content.Channels.OrderBy(e => e.Key, StringComparer.Ordinal))
            text.AppendLine($"channel {name} {c.Touchpoints} {c.FirstSeen:O} {c.LastSeen:O}");
        foreach (var (type, m) in content.LastLinks.OrderBy(e => e.Key, StringComparer.Ordinal))
            text.AppendLine($"last link {type} {m.UtcTicks} {m.TouchpointId} {m.OtherKey}");
        foreach (var (pair, c) in content.Corrections.OrderBy(e => e.Key, StringComparer.Ordinal))
            text.AppendLine($"correction {pair} {(c.Unlinks ? "unlink" : "relink")} {c.UtcTicks} {c.EntryId}");
        foreach (var (key, r) in content.RefusedLinks.OrderBy(e => e.Key, StringComparer.Ordinal))
            text.AppendLine($"refused {key} {r.Type} {r.Hint} {r.Reason} {r.At:O}");
        foreach (var r in content.Consent?.Deciding ?? [])
            text.AppendLine($"consent deciding {r}");
        foreach (var r in content.Consent?.History ?? [])
            text.AppendLine($"consent history {r}");
        return text.ToString();
    }
}
