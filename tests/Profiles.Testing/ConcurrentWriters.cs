using System.Collections.Concurrent;

namespace Profiles.Testing;

/// <summary>Concurrent clients: writers take batches off one queue until it is empty, so the same items race
/// each other in another interleaving on every run.</summary>
public static class ConcurrentWriters
{
    /// <param name="send">Called with the writer's number (to pick its node or silo) and its next batch.</param>
    public static Task RunAsync<T>(IEnumerable<T> items, int batch, int writers, Func<int, T[], Task> send)
    {
        var batches = new ConcurrentQueue<T[]>(items.Chunk(batch));
        return Task.WhenAll(Enumerable.Range(0, writers).Select(async writer =>
        {
            while (batches.TryDequeue(out var next)) await send(writer, next);
        }));
    }
}
