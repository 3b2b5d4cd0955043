using System.Text.Json;
using Profiles.Client;
using Profiles.Grains.Abstractions;

namespace Profiles.Grains.Resolution;

/// <summary>A profile as every answer shows it, the HTTP API's JSON and the .NET client's <see cref="Profile"/> alike
/// (docs/API.md, "A profile"): identifiers by type then first seen, channels by name, refused links by time.</summary>
public static class ProfileView
{
    private static readonly IReadOnlyDictionary<string, JsonElement> NoComputedTraits = new Dictionary<string, JsonElement>();

    public static Profile From(ProfileSnapshot profile)
    {
        var content = profile.Content;
        return new Profile(
            profile.ProfileId,
            [.. content.Identifiers
                .OrderBy(i => i.Value.Type, StringComparer.Ordinal).ThenBy(i => i.Value.FirstSeen).ThenBy(i => i.Key, StringComparer.Ordinal)
                .Select(i => new ProfileIdentifier(i.Value.Type, i.Key, i.Value.Hint, i.Value.FirstSeen, i.Value.LastSeen))],
            content.CurrentTraits().ToDictionary(t => t.Key, t => JsonElement.Parse(t.Value)),
            content.Channels.OrderBy(c => c.Key, StringComparer.Ordinal)
                .ToDictionary(c => c.Key, c => new ChannelActivity(c.Value.Touchpoints, c.Value.FirstSeen, c.Value.LastSeen)),
            content.Touchpoints,
            content.FirstSeen,
            content.LastSeen,
            profile.MergedProfileIds,
            [.. content.RefusedLinks.Values.OrderBy(r => r.At).ThenBy(r => r.TouchpointId, StringComparer.Ordinal)
                .Select(r => new ProfileRefusedLink(r.Type, r.Hint, r.Reason, r.TouchpointId, r.At))],
            // Computed traits and audiences fill these once the profile grain evaluates them.
            NoComputedTraits,
            [],
            profile.Version);
    }
}
