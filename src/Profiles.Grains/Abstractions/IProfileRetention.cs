namespace Profiles.Grains.Abstractions;

/// <summary>The profile as retention asks it to forget the content of old touchpoints.</summary>
[Alias("IProfileRetention")]
public interface IProfileRetention : IGrainWithStringKey
{
    /// <summary>Takes every touchpoint that occurred before <paramref name="before"/> out of the journeys this profile
    /// answers for (its own and those of the profiles merged into it), keeping of each what its links need and folding
    /// its figures into its anchor's removed content; the profile's own content does not change. Answered by the
    /// profile that stands for the journeys, so no resolution rewrites them meanwhile: a merged-away profile answers
    /// <see cref="ProfileReplyKind.Forwarded"/>, a held one <see cref="RetryCause.Held"/>.</summary>
    [Alias("RemoveContentBefore")]
    Task<ProfileReply> RemoveContentBefore(DateTimeOffset before);
}
