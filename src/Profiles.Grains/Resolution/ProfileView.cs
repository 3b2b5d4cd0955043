using System.Text.Json;
using Profiles.Contracts;
using Profiles.Core.Consent;
using Profiles.Core.Personalisation;
using Profiles.Grains.Abstractions;

namespace Profiles.Grains.Resolution;

/// <summary>A profile as every answer shows it, the HTTP API's JSON and the .NET client's <see cref="Profile"/> alike
/// (docs/API.md, "A profile"): identifiers by type then first seen, channels by name, refused links by time.</summary>
public static class ProfileView
{
    /// <summary>The profile as the storefront's reads answer it: no computed trait and no audience while the customer
    /// does not allow personalisation (<see cref="PersonalisedValues.ForStorefront"/>).</summary>
    public static Profile ForStorefront(ProfileSnapshot profile) => From(profile with { Personalised = profile.Personalised.ForStorefront() });

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
            ComputedTraits(profile.Personalised),
            profile.Personalised.Audiences,
            Consent(profile.Personalised.Consent),
            profile.Version);
    }

    /// <summary>Every configured purpose by name: its purpose-wide status, and the channels with decisions of their own.</summary>
    public static Dictionary<string, PurposeStatus> Consent(IEnumerable<PurposeConsent> consent) =>
        consent.ToDictionary(
            c => c.Purpose,
            c => new PurposeStatus(ConsentStatus.Of(c.Granted), c.Channels.ToDictionary(channel => channel.Key, channel => ConsentStatus.Of(channel.Value), StringComparer.Ordinal)),
            StringComparer.Ordinal);

    /// <summary>Every configured computed trait by name, as the JSON value its kind gives it.</summary>
    private static Dictionary<string, JsonElement> ComputedTraits(PersonalisedValues values)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            for (var i = 0; i < values.Names.Length; i++)
            {
                writer.WritePropertyName(values.Names[i]);
                values.Computed[i].WriteTo(writer);
            }
            writer.WriteEndObject();
        }
        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal);
    }
}
