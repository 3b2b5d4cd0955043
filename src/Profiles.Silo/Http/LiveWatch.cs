using Profiles.Contracts.Live;
using Profiles.Grains.Abstractions;
using Profiles.Grains.Live;
using Profiles.Grains.Resolution;

namespace Profiles.Silo.Http;

/// <summary>
/// What one live HTTP stream watches, through grain observers: the identifier's grain and the profile it currently
/// leads to, followed across merges by <see cref="LiveFollower{TRead}"/>. Disposing unsubscribes.
/// </summary>
public sealed class LiveWatch : IProfileObserver, ILiveSubscriptions, IAsyncDisposable
{
    private readonly IGrainFactory _grains;
    private readonly IProfileObserver _reference;
    private readonly LiveFollower<ProfileSnapshot> _follower;

    public LiveWatch(IGrainFactory grains, ProfileReader profiles, string identifierKey)
    {
        _grains = grains;
        _reference = grains.CreateObjectReference<IProfileObserver>(this);
        _follower = new LiveFollower<ProfileSnapshot>(this, identifierKey, () => profiles.FollowIdentifierAsync(identifierKey), snapshot => snapshot.ProfileId);
    }

    public Task Changed()
    {
        _follower.Signal();
        return Task.CompletedTask;
    }

    /// <summary>Re-reads where the identifier leads and returns that profile (null while the identifier is unknown).</summary>
    public Task<ProfileSnapshot?> RefreshAsync() => _follower.RefreshAsync();

    /// <summary>True on a change, false when <paramref name="timeout"/> passed without one.</summary>
    public Task<bool> WaitForChangeAsync(TimeSpan timeout, CancellationToken cancellationToken) => _follower.WaitForChangeAsync(timeout, cancellationToken);

    public Task WatchAsync(LiveTarget target) => _grains.Watchable(target).Watch(_reference);

    public Task UnwatchAsync(LiveTarget target) => _grains.Watchable(target).Unwatch(_reference);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _follower.DisposeAsync();
        }
        finally
        {
            _grains.DeleteObjectReference<IProfileObserver>(_reference);
        }
    }
}
