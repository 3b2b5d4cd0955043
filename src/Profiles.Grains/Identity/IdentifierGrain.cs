using Profiles.Grains.Abstractions;

namespace Profiles.Grains.Identity;

public sealed class IdentifierGrain(
    [PersistentState("identifier", ProfilesStorage.Name)] IPersistentState<IdentifierState> state) : Grain, IIdentifierGrain
{
    public async Task<string> GetOrAssignProfile(string proposedProfileId)
    {
        if (state.State.ProfileId is { } known) return known;
        state.State.ProfileId = proposedProfileId;
        await state.WriteStateAsync();
        return state.State.ProfileId;
    }

    public Task<string?> GetProfile() => Task.FromResult(state.State.ProfileId);

    public async Task PointTo(string profileId)
    {
        if (state.State.ProfileId is not { } current || string.CompareOrdinal(profileId, current) >= 0) return;
        state.State.ProfileId = profileId;
        await state.WriteStateAsync();
    }
}

[GenerateSerializer, Alias("IdentifierState")]
public sealed class IdentifierState
{
    [Id(0)] public string? ProfileId { get; set; }
}
