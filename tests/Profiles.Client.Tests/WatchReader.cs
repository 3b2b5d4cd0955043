using System.Threading.Channels;
using Profiles.Contracts;

namespace Profiles.Client.Tests;

/// <summary>Reads a <see cref="IProfilesClient.WatchAsync"/> in the background, so a test can wait for the state it
/// expects; disposing ends the watch by cancellation, as a storefront request that ends does.</summary>
public sealed class WatchReader : IAsyncDisposable
{
    private readonly Channel<Profile?> _items = Channel.CreateUnbounded<Profile?>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;

    private WatchReader(IProfilesClient client, string type, string value) => _pump = PumpAsync(client, type, value);

    public static WatchReader Start(IProfilesClient client, string type, string value) => new(client, type, value);

    private async Task PumpAsync(IProfilesClient client, string type, string value)
    {
        try
        {
            await foreach (var profile in client.WatchAsync(type, value, _stop.Token)) await _items.Writer.WriteAsync(profile);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        finally
        {
            _items.Writer.TryComplete();
        }
    }

    /// <summary>The next state the watch yields.</summary>
    public async Task<Profile?> NextAsync(TimeSpan? timeout = null)
    {
        using var wait = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        return await _items.Reader.ReadAsync(wait.Token);
    }

    /// <summary>Reads states until one satisfies <paramref name="expected"/>, which it returns.</summary>
    public async Task<Profile> UntilAsync(Func<Profile, bool> expected, TimeSpan? timeout = null)
    {
        using var wait = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        var seen = new List<string>();
        try
        {
            while (true)
            {
                var profile = await _items.Reader.ReadAsync(wait.Token);
                seen.Add(profile is null ? "null" : $"{profile.ProfileId} v{profile.Version} {profile.Touchpoints} touchpoints");
                if (profile is not null && expected(profile)) return profile;
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The watch never showed the expected state; it showed: {string.Join(", ", seen)}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _pump;
        _stop.Dispose();
    }
}
