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
/// Follows one identifier to the profile it leads to, wherever in the cluster they live: it watches the identifier
/// (it becomes known, moves, is erased) and the profile it currently leads to (touchpoints, merges, erasure), and moves
/// the profile subscription when a merge moves the identifier. Change signals collapse into one pending signal, so a
/// slow reader gets the latest state and never a backlog. The one copy of this logic, for the live HTTP stream and the
/// .NET client alike.
/// </summary>
/// <typeparam name="TRead">What a read of the identifier gives.</typeparam>
public sealed class LiveFollower<TRead>(ILiveSubscriptions subscriptions, string identifierKey, Func<Task<TRead?>> read, Func<TRead, string?> profileIdOf)
    : IAsyncDisposable where TRead : class
{
    private readonly LiveTarget _identifier = LiveTarget.Identifier(identifierKey);
    private readonly Channel<bool> _changes = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private string? _profileId;
    private DateTime _renewedAt = DateTime.MinValue;

    /// <summary>Something watched changed.</summary>
    public void Signal() => _changes.Writer.TryWrite(true);

    /// <summary>Subscriptions may have been lost (their grains moved to another node): renew them at the next refresh.</summary>
    public void RenewSoon()
    {
        _renewedAt = DateTime.MinValue;
        Signal();
    }

    /// <summary>Re-reads where the identifier leads, moves the profile subscription there, and returns the read.</summary>
    public async Task<TRead?> RefreshAsync()
    {
        var renew = DateTime.UtcNow - _renewedAt > LiveLease.Renewal;
        if (renew) await subscriptions.WatchAsync(_identifier);
        var current = await read();
        var profileId = current is null ? null : profileIdOf(current);
        if (profileId != _profileId)
        {
            if (_profileId is not null) await subscriptions.UnwatchAsync(LiveTarget.Profile(_profileId));
            _profileId = profileId;
            if (_profileId is not null)
            {
                await subscriptions.WatchAsync(LiveTarget.Profile(_profileId));
                // A change between reading and subscribing would be missed: read once more after subscribing.
                current = await read();
            }
        }
        else if (renew && _profileId is not null)
        {
            await subscriptions.WatchAsync(LiveTarget.Profile(_profileId));
        }
        if (renew) _renewedAt = DateTime.UtcNow;
        return current;
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

    /// <summary>Unsubscribes from everything it watches.</summary>
    public async ValueTask DisposeAsync()
    {
        await subscriptions.UnwatchAsync(_identifier);
        if (_profileId is not null) await subscriptions.UnwatchAsync(LiveTarget.Profile(_profileId));
    }
}
