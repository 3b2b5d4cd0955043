using System.Text.Json;

namespace Profiles.Contracts.Http;

/// <summary>A profile read that named its parts (<c>fields</c>, <see cref="ProfilePart"/>): the id, the version and the
/// consent, and each part asked for, in the shape <see cref="Profile"/> gives it. A part that was not asked for is null here; so are
/// <see cref="FirstSeen"/> and <see cref="LastSeen"/> of a profile without touchpoints, as in a whole profile.</summary>
public sealed record PartialProfile(string ProfileId, long Version)
{
    public IReadOnlyList<ProfileIdentifier>? Identifiers { get; init; }
    public IReadOnlyDictionary<string, JsonElement>? Traits { get; init; }
    public IReadOnlyDictionary<string, ChannelActivity>? Channels { get; init; }
    public long? Touchpoints { get; init; }
    public DateTimeOffset? FirstSeen { get; init; }
    public DateTimeOffset? LastSeen { get; init; }
    public IReadOnlyList<string>? MergedProfileIds { get; init; }
    public IReadOnlyList<ProfileRefusedLink>? RefusedLinks { get; init; }
    public IReadOnlyDictionary<string, JsonElement>? Computed { get; init; }
    public IReadOnlyList<string>? Audiences { get; init; }
    public IReadOnlyDictionary<string, PurposeStatus>? Consent { get; init; }
}
