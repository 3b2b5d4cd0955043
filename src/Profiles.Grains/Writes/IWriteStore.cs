namespace Profiles.Grains.Writes;

/// <summary>Where <see cref="ProfileWrite"/>s are applied: Redis (<see cref="RedisWrites"/>) or the embedded default's
/// memory (<see cref="Journey.InMemoryJourneyStore"/>). Each applies a record atomically and knows no business rule;
/// <see cref="ProfileWriter"/> builds the records.</summary>
public interface IWriteStore
{
    /// <summary>Applies the record atomically; its outcome says what happened to each part.</summary>
    Task<WriteOutcome> ApplyAsync(ProfileWrite write);

    /// <summary>The standing stored for the profile, encoded (<see cref="Standing.ProfileStanding.Encode"/>); empty for none.</summary>
    Task<string> StoredStandingAsync(string profileId);

    /// <summary>The ids of the touchpoints the store holds in the profile's journey, in no particular order: those a
    /// rewrite may have to drop (<see cref="JourneyChange.Rewritten"/>).</summary>
    Task<IReadOnlyList<string>> JourneyIdsAsync(string profileId);
}
