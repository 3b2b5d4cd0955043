using Microsoft.Extensions.Logging;
using Profiles.Contracts.Live;
using Profiles.Grains.Abstractions;
using Profiles.Grains.Live;

namespace Profiles.Grains.Identity;

/// <remarks>Deactivated after two minutes idle (the shortest Orleans allows with its one-minute collection quantum): nodes remember identifiers in their IdentifierCache, so an
/// identifier grain is needed only when one is first seen, moves or is erased, and a million idle activations
/// would cost the memory and garbage collection time that flat cost per touchpoint needs.</remarks>
[CollectionAgeLimit(Minutes = 2)]
public sealed class IdentifierGrain(
    [PersistentState("identifier", ProfilesStorage.Identifiers)] IPersistentState<IdentifierState> state,
    LiveSignals signals,
    ILogger<IdentifierGrain> logger) : Grain, IIdentifierGrain
{
    private readonly Watchers _watchers = new(logger, signals, LiveTargetKind.Identifier);

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => _watchers.DeactivateAsync();

    public async Task<string> GetOrAssignProfile(string proposedProfileId)
    {
        if (state.State.ProfileId is { } known) return known;
        state.State.ProfileId = proposedProfileId;
        await state.WriteStateAsync();
        Changed();
        return state.State.ProfileId;
    }

    public Task<string?> GetProfile() => Task.FromResult(state.State.ProfileId);

    public Task Release(string[] profileIds) => ForgetIfAmong(profileIds);

    public Task Erase(string[] erasedProfileIds) => ForgetIfAmong(erasedProfileIds);

    private async Task ForgetIfAmong(string[] profileIds)
    {
        if (state.State.ProfileId is not { } current || !profileIds.Contains(current)) return;
        await state.ClearStateAsync();
        Changed();
    }

    private void Changed()
    {
        _watchers.Notify();
        if (_watchers.Count == 0) this.DeactivateOnIdle();
    }

    public Task Watch(IProfileObserver observer) => _watchers.Watch(observer);

    public Task Unwatch(IProfileObserver observer) => _watchers.Unwatch(observer);

    public Task WatchStream(Guid subscriptionId) => _watchers.WatchStream(this.GetPrimaryKeyString(), subscriptionId);

    public Task UnwatchStream(Guid subscriptionId) => _watchers.UnwatchStream(subscriptionId);

    public async Task PointTo(string from, string profileId)
    {
        if (state.State.ProfileId != from || from == profileId) return;
        state.State.ProfileId = profileId;
        await state.WriteStateAsync();
        Changed();
    }

    public async Task Reassign(string profileId)
    {
        if (state.State.ProfileId == profileId) return;
        state.State.ProfileId = profileId;
        await state.WriteStateAsync();
        Changed();
    }

    public async Task Forget()
    {
        if (state.State.ProfileId is null) return;
        await state.ClearStateAsync();
        Changed();
    }
}

[GenerateSerializer, Alias("IdentifierState")]
public sealed class IdentifierState
{
    [Id(0)] public string? ProfileId { get; set; }
}
