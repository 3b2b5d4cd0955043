using System.Threading.Channels;

namespace Profiles.Contracts.Live;

/// <summary>How a watcher hears of changes: grain observers on a node, Orleans streams in the .NET client. Watching
/// again renews.</summary>
public interface ILiveSubscriptions
{
    Task WatchAsync(LiveTarget target);

    Task UnwatchAsync(LiveTarget target);
}

/// <summary>How long a subscription to a grain's changes lasts unless renewed, so a watcher that vanished without
/// unsubscribing is forgotten.</summary>
public static class LiveLease
{
    public static readonly TimeSpan Expiry = TimeSpan.FromMinutes(2);

    /// <summary>Subscriptions are renewed well inside their expiry.</summary>
    public static readonly TimeSpan Renewal = Expiry / 4;
}

/// <summary>
/// Follows one identifier, or one profile id, to the profile it leads to, wherever in the cluster they live: it watches
/// the anchor (an identifier becomes known, moves, is erased; a profile merges into another, splits, is erased) and the
/// profile the anchor currently leads to (touchpoints, merges, erasure), and moves the profile subscription when a merge
/// moves the anchor. Change signals collapse into one pending signal, so a slow reader gets the latest state and never a
/// backlog. The one copy of this logic, for the live HTTP streams and the .NET client alike.
/// </summary>
/// <typeparam name="TRead">What a read of the anchor gives.</typeparam>
/// <param name="subscriptions">How the watcher hears of changes.</param>
/// <param name="anchor">The identifier or the profile followed.</param>
/// <param name="read">Reads where the anchor leads now.</param>
/// <param name="profileIdOf">The profile a read names.</param>
public sealed class LiveFollower<TRead>(ILiveSubscriptions subscriptions, LiveTarget anchor, Func<Task<TRead?>> read, Func<TRead, string?> profileIdOf)
    : IAsyncDisposable where TRead : class
{
    private readonly Channel<bool> _changes = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    // The profile the anchor leads to, when it is another than the anchor itself (which is watched throughout).
    private LiveTarget? _profile;
    private DateTime _renewedAt = DateTime.MinValue;

    /// <summary>Something watched changed.</summary>
    public void Signal() => _changes.Writer.TryWrite(true);

    /// <summary>Subscriptions may have been lost (their grains moved to another node): renew them at the next refresh.</summary>
    public void RenewSoon()
    {
        _renewedAt = DateTime.MinValue;
        Signal();
    }

    /// <summary>Re-reads where the anchor leads, moves the profile subscription there, and returns the read.</summary>
    public async Task<TRead?> RefreshAsync()
    {
        var renew = DateTime.UtcNow - _renewedAt > LiveLease.Renewal;
        if (renew) await subscriptions.WatchAsync(anchor);
        var current = await read();
        var profile = ProfileBeyondAnchor(current);
        if (profile != _profile)
        {
            if (_profile is not null) await subscriptions.UnwatchAsync(_profile);
            _profile = profile;
            if (_profile is not null)
            {
                await subscriptions.WatchAsync(_profile);
                // A change between reading and subscribing would be missed: read once more after subscribing.
                current = await read();
            }
        }
        else if (renew && _profile is not null)
        {
            await subscriptions.WatchAsync(_profile);
        }
        if (renew) _renewedAt = DateTime.UtcNow;
        return current;
    }

    private LiveTarget? ProfileBeyondAnchor(TRead? current) =>
        current is not null && profileIdOf(current) is { } profileId && LiveTarget.Profile(profileId) is var profile && profile != anchor ? profile : null;

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

    /// <summary>Unsubscribes from everything it watches.</summary>
    public async ValueTask DisposeAsync()
    {
        await subscriptions.UnwatchAsync(anchor);
        if (_profile is not null) await subscriptions.UnwatchAsync(_profile);
    }
}
