namespace Profiles.Grains.Changes;

/// <summary>The kinds of change the feed carries.</summary>
public static class ChangeTypes
{
    public const string Touchpoint = "touchpoint";
    public const string Merged = "merged";
    public const string AudienceEntered = "audience.entered";
    public const string AudienceExited = "audience.exited";
    public const string Erased = "erased";
    public const string Split = "split";
    public const string Consent = "consent";
}

/// <summary>
/// One entry of the change feed. It names profiles, touchpoint ids, channels, types and audiences, never an
/// identifier value, a trait or a property, so a feed consumer learns what changed and reads the profile for
/// the rest. <see cref="Details"/> holds the type's own fields (<c>touchpointId</c>, <c>channel</c>,
/// <c>touchpointType</c>; <c>mergedProfileId</c>; <c>splitProfileIds</c>; <c>erasedProfileIds</c>; <c>audience</c>;
/// <c>purpose</c>, <c>channel</c> and <c>status</c>). A field stored empty is null (a consent change for every channel
/// of a purpose).
/// </summary>
[GenerateSerializer, Immutable, Alias("ProfileChange")]
public sealed record ProfileChange(
    [property: Id(0)] string Type,
    [property: Id(1)] string ProfileId,
    [property: Id(2)] DateTimeOffset At,
    [property: Id(3)] IReadOnlyList<KeyValuePair<string, string>> Details)
{
    public const string MergedProfileId = "mergedProfileId";
    public const string SplitProfileIds = "splitProfileIds";
    public const string ErasedProfileIds = "erasedProfileIds";
    public const string Reason = "reason";

    /// <summary>The details that list profile ids, kept as one comma-separated text.</summary>
    public static readonly IReadOnlySet<string> ListDetails = new HashSet<string>(StringComparer.Ordinal) { SplitProfileIds, ErasedProfileIds };

    public static ProfileChange Merged(string survivorId, string mergedProfileId, DateTimeOffset at) =>
        new(ChangeTypes.Merged, survivorId, at, [new(MergedProfileId, mergedProfileId)]);

    /// <summary>The customer was erased: <paramref name="profileId"/>, the profile that stood for them, and
    /// <c>erasedProfileIds</c>, every profile merged into it, comma-separated: the tombstone a feed consumer forgets the
    /// customer by. <paramref name="reason"/>: <see cref="ErasureReasons.Retention"/> when retention erased them,
    /// null (no <c>reason</c>) for an erasure asked for.</summary>
    public static ProfileChange Erased(string profileId, IEnumerable<string> mergedProfileIds, DateTimeOffset at, string? reason = null) =>
        new(ChangeTypes.Erased, profileId, at, reason is null
            ? [new(ErasedProfileIds, string.Join(',', mergedProfileIds))]
            : [new(ErasedProfileIds, string.Join(',', mergedProfileIds)), new(Reason, reason)]);

    /// <summary>The profiles whose erasure takes this change out of the feed: the profile it changed, and the profile
    /// merged into it. None for an erasure: that is the tombstone feed consumers forget the customer by, and it stays.</summary>
    public IEnumerable<string> ErasedWithProfiles()
    {
        if (Type == ChangeTypes.Erased) yield break;
        yield return ProfileId;
        foreach (var (name, value) in Details)
        {
            if (name == MergedProfileId) yield return value;
        }
    }

    /// <summary>The effective status of (<paramref name="purpose"/>, <paramref name="channel"/>) on the profile is now
    /// <paramref name="status"/>; <paramref name="channel"/> null: the purpose-wide status.</summary>
    public static ProfileChange Consent(string profileId, string purpose, string? channel, string status, DateTimeOffset at) =>
        new(ChangeTypes.Consent, profileId, at, [new("purpose", purpose), new("channel", channel ?? ""), new("status", status)]);

    /// <summary>A profile gave touchpoints and identifiers to other profiles when its component was resolved again;
    /// <c>splitProfileIds</c> lists them, comma-separated.</summary>
    public static ProfileChange Split(string profileId, IEnumerable<string> splitProfileIds, DateTimeOffset at) =>
        new(ChangeTypes.Split, profileId, at, [new(SplitProfileIds, string.Join(',', splitProfileIds))]);
}

/// <summary>Why a customer was erased without anyone asking, as an <c>erased</c> change's <c>reason</c> says.</summary>
public static class ErasureReasons
{
    /// <summary>A profile holding only anonymous identifiers was not seen for <c>Profiles:Retention:AnonymousProfiles</c>.</summary>
    public const string Retention = "retention";
}

/// <summary>A change as read from the feed, with the cursor that resumes after it.</summary>
public sealed record FeedItem(string Cursor, ProfileChange Change);

/// <summary>A page of the feed: its items, oldest first, and the cursor to read on from (the same cursor when
/// nothing new was there, so a follower keeps polling with it).</summary>
public sealed record FeedPage(IReadOnlyList<FeedItem> Items, string NextCursor);

/// <summary>The feed's record of an accepted touchpoint: its id, channel and type, nothing it carried.</summary>
public static class TouchpointChange
{
    public static ProfileChange Of(string profileId, Core.Touchpoints.Touchpoint touchpoint, DateTimeOffset at) =>
        new(ChangeTypes.Touchpoint, profileId, at,
            [new("touchpointId", touchpoint.Id), new("channel", touchpoint.Channel), new("touchpointType", touchpoint.Type)]);
}
