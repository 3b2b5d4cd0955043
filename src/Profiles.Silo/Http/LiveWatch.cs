using System.Threading.Channels;
using Profiles.Grains.Abstractions;
using Profiles.Grains.Identity;
using Profiles.Grains.Resolution;

namespace Profiles.Silo.Http;

/// <summary>
/// What one live stream watches: the identifier's grain (it becomes known, moves, is erased) and the profile it
/// currently leads to (touchpoints, merges, erasure), wherever in the cluster they live. Change signals collapse
/// into one pending signal, so a slow client gets the latest state and never a backlog. Disposing unsubscribes.
/// </summary>
public sealed class LiveWatch : IProfileObserver, IAsyncDisposable
{
    /// <summary>Subscriptions are renewed well inside their expiry.</summary>
    private static readonly TimeSpan Renewal = Watchers.Expiry / 4;

    private readonly Channel<bool> _changes = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly IGrainFactory _grains;
    private readonly IIdentifierGrain _identifier;
    private readonly IProfileObserver _reference;
    private IProfileGrain? _profile;
    private string? _profileId;
    private DateTime _renewedAt = DateTime.MinValue;

    public LiveWatch(IGrainFactory grains, string identifierKey)
    {
        _grains = grains;
        _identifier = grains.GetGrain<IIdentifierGrain>(identifierKey);
        _reference = grains.CreateObjectReference<IProfileObserver>(this);
    }

    public Task Changed()
    {
        _changes.Writer.TryWrite(true);
        return Task.CompletedTask;
    }

    /// <summary>Re-reads where the identifier leads, moves the subscription there, and returns that profile
    /// (null while the identifier is unknown).</summary>
    public async Task<ProfileSnapshot?> RefreshAsync(ProfileReader profiles)
    {
        var renew = DateTime.UtcNow - _renewedAt > Renewal;
        if (renew) await _identifier.Watch(_reference);
        var pointedAt = await _identifier.GetProfile();
        var snapshot = pointedAt is null ? null : await profiles.FollowAsync(pointedAt);
        if (snapshot?.ProfileId != _profileId)
        {
            if (_profile is not null) await _profile.Unwatch(_reference);
            _profileId = snapshot?.ProfileId;
            _profile = _profileId is null ? null : _grains.GetGrain<IProfileGrain>(_profileId);
            if (_profile is not null) await _profile.Watch(_reference);
            // A change between reading and subscribing would be missed: read once more after subscribing.
            if (_profile is not null) snapshot = await profiles.FollowAsync(_profileId!);
        }
        else if (renew && _profile is not null)
        {
            await _profile.Watch(_reference);
        }
        if (renew) _renewedAt = DateTime.UtcNow;
        return snapshot;
    }

    /// <summary>True on a change, false when <paramref name="timeout"/> passed without one.</summary>
    public async Task<bool> WaitForChangeAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        try
        {
            return await _changes.Reader.ReadAsync(timer.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _identifier.Unwatch(_reference);
            if (_profile is not null) await _profile.Unwatch(_reference);
        }
        finally
        {
            _grains.DeleteObjectReference<IProfileObserver>(_reference);
        }
    }
}
