using Profiles.Core.Touchpoints;

namespace Profiles.Import;

/// <summary>
/// The reconciliation the import achieved: how many rows that landed belong, after the import, to a profile with a
/// touchpoint on an online channel. Reads each profile id the node answered once, in parallel; a profile merged
/// away answers with the one it went into.
/// </summary>
public static class OnlineMatch
{
    /// <param name="progress">Called with 1 after each profile read, from any thread.</param>
    /// <returns>The rows whose profile is online.</returns>
    public static async Task<long> CountAsync(IReadOnlyDictionary<string, long> rowsByProfile, RetryingNode node, int parallel,
        Action<long> progress, CancellationToken ct)
    {
        long matched = 0;
        await Parallel.ForEachAsync(rowsByProfile, new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = ct },
            async (entry, token) =>
            {
                var channels = await node.ChannelsOfAsync(entry.Key, token);
                if (channels.Any(ChannelKinds.IsOnline))
                    Interlocked.Add(ref matched, entry.Value);
                progress(1);
            });
        return matched;
    }
}
