using Profiles.Contracts.Live;
using Profiles.Grains.Abstractions;
using Profiles.Grains.Live;

namespace Profiles.Silo.Http;

/// <summary>
/// What one live HTTP stream watches, through grain observers: the identifier's (or the profile id's) grain and the
/// profile it currently leads to, followed across merges by <see cref="LiveFollower{TRead}"/>. Disposing unsubscribes.
/// </summary>
public sealed class LiveWatch : IProfileObserver, ILiveSubscriptions, IAsyncDisposable
{
    private readonly IGrainFactory _grains;
    private readonly IProfileObserver _reference;
    private readonly LiveFollower<ProfileSnapshot> _follower;

    /// <param name="grains">Where the grains watched are.</param>
    /// <param name="anchor">The identifier or the profile id followed.</param>
    /// <param name="read">Reads the profile the anchor leads to now (null: none).</param>
    public LiveWatch(IGrainFactory grains, LiveTarget anchor, Func<Task<ProfileSnapshot?>> read)
    {
        _grains = grains;
        _reference = grains.CreateObjectReference<IProfileObserver>(this);
        _follower = new LiveFollower<ProfileSnapshot>(this, anchor, read, snapshot => snapshot.ProfileId);
    }

    public Task Changed()
    {
        _follower.Signal();
        return Task.CompletedTask;
    }

    /// <summary>Re-reads where the anchor leads and returns that profile (null: none).</summary>
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
