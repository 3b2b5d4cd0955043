using Profiles.Grains.Identity;
using Profiles.Grains.Storage;
using StackExchange.Redis;

namespace Profiles.Grains.Writes;

/// <summary>
/// Identifiers' pointers read from their shards' hashes (<see cref="RedisLayout.Identifiers"/>) the way
/// <see cref="RedisWrites"/> writes them: the first read goes at once, and the reads that arrive while it is in flight
/// (a request's new identifiers, the activations of their grains) leave together as one <c>HMGET</c> per shard.
/// </summary>
public sealed class RedisIdentifierPointers(IConnectionMultiplexer redis) : IIdentifierPointers
{
    /// <summary>A read round takes at most this many identifiers, so no round holds Redis up for long.</summary>
    private const int RoundSize = 2_000;

    private readonly Lock _lock = new();
    private readonly Queue<PendingRead> _waiting = new();
    private bool _reading;

    public Task<string?[]> ReadAsync(IReadOnlyList<string> identifierKeys) => Task.WhenAll(identifierKeys.Select(ReadAsync));

    /// <summary>The profile an identifier points to; null for none.</summary>
    public Task<string?> ReadAsync(string identifierKey)
    {
        var pending = new PendingRead(identifierKey);
        bool start;
        lock (_lock)
        {
            _waiting.Enqueue(pending);
            start = !_reading;
            _reading = true;
        }
        // Off the caller's scheduler: the rounds outlive the grain turn or request that started them.
        if (start) _ = Task.Run(ReadAllAsync);
        return pending.Pointer.Task;
    }

    private async Task ReadAllAsync()
    {
        while (true)
        {
            List<PendingRead> round;
            lock (_lock)
            {
                if (_waiting.Count == 0)
                {
                    _reading = false;
                    return;
                }
                round = new List<PendingRead>(Math.Min(_waiting.Count, RoundSize));
                while (_waiting.Count > 0 && round.Count < RoundSize) round.Add(_waiting.Dequeue());
            }
            await Task.WhenAll(round.GroupBy(read => Shards.Of(read.Key)).Select(ReadShardAsync));
        }
    }

    private async Task ReadShardAsync(IGrouping<int, PendingRead> reads)
    {
        PendingRead[] asked = [.. reads];
        try
        {
            var stored = await redis.GetDatabase().HashGetAsync(RedisLayout.Identifiers(reads.Key), [.. asked.Select(read => (RedisValue)read.Key)]);
            for (var i = 0; i < asked.Length; i++) asked[i].Pointer.TrySetResult(stored[i].IsNull ? null : (string)stored[i]!);
        }
        catch (Exception e)
        {
            foreach (var read in asked) read.Pointer.TrySetException(e);
        }
    }

    private sealed record PendingRead(string Key)
    {
        public TaskCompletionSource<string?> Pointer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
