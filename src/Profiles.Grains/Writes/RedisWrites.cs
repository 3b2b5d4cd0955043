using System.Diagnostics.Metrics;
using Profiles.Grains.Changes;
using Profiles.Grains.History;
using Profiles.Grains.Observability;
using Profiles.Grains.Storage;
using StackExchange.Redis;

namespace Profiles.Grains.Writes;

/// <summary>
/// Applies write records (and identifiers' pointers) to Redis with group commit, as a database's log does: per queue,
/// the first record goes at once in one call of the generic script (<c>write.lua</c>); the records that arrive while a
/// call is in flight form the next batch, sent in one call as soon as it returns. A Redis Cluster has a queue per
/// shard, a single server one queue for all. A record's task completes when its batch is done, so a
/// grain that awaited its write still answers only once the write is in Redis. Every key of a batch carries its
/// shard's hash tag, so on a Redis Cluster a call touches one hash slot. On a replicated Redis, a call may also wait
/// for replicas to have its writes (<see cref="ReplicaWait"/>).
/// </summary>
/// <param name="meters">Makes the meter of the batch sizes (<see cref="ProfilesMetrics.WriteBatch"/>).</param>
/// <param name="replicas">Null: a batch is done once its master answered.</param>
/// <param name="history">With a history tier: rewrites, erasures and retention reach it once Redis holds them.</param>
public sealed class RedisWrites(IConnectionMultiplexer redis, FeedClock clock, IMeterFactory meters, ReplicaWait? replicas = null, HistoryTier? history = null)
    : IWriteStore
{
    private static readonly string Script = ReadScript();

    private static readonly string ScriptSha = ReplicaWait.Sha(Script);

    private readonly Histogram<int> _batchSizes = ProfilesMetrics.WriteBatch(meters);

    private readonly ShardQueue[] _queues = [.. Shards.All.Select(_ => new ShardQueue())];

    // On a Redis Cluster a script may touch one hash slot only, so each shard has its queue; a single server takes a
    // script over any keys, so every shard shares one queue there and a batch gathers the whole node's writes.
    private readonly Lazy<bool> _oneQueue = new(() => !redis.GetServers().Any(server => server.ServerType == ServerType.Cluster));

    private IDatabase Db => redis.GetDatabase();

    public async Task<WriteOutcome> ApplyAsync(ProfileWrite write)
    {
        var outcome = await Enqueue(Shards.Of(write.ProfileId),
            new PendingWrite<WriteOutcome>(program => program.Add(write), answer => RedisWriteProgram.Read(write, answer)));
        if (history is null || outcome is not WriteOutcome.Applied) return outcome;
        // After Redis, never before: a crash between leaves the history's rows where a repeat of the write finds them.
        if (write.Journey is JourneyChange.Rewritten rewritten) await history.RewrittenAsync(write.ProfileId, [.. rewritten.Touchpoints.Select(t => t.Id)]);
        else if (write.Journey is JourneyChange.Erased) await history.ErasedAsync(write.ProfileId);
        else if (write.Journey is JourneyChange.ContentRemoved retained) await history.ContentRemovedAsync(write.ProfileId, [.. retained.Kept.Select(t => t.Id)]);
        return outcome;
    }

    /// <summary>Sets an identifier's pointer (null: removes it) while it holds <paramref name="expected"/>, in the
    /// group commit of the identifier's shard.</summary>
    /// <returns>True when written; false when the stored pointer was not <paramref name="expected"/>.</returns>
    public Task<bool> PointAsync(string identifierKey, string? expected, string? profileId) =>
        Enqueue(Shards.Of(identifierKey), new PendingWrite<bool>(
            program => program.Add(identifierKey, expected, profileId), RedisWriteProgram.ReadPointer));

    private Task<T> Enqueue<T>(int shard, PendingWrite<T> pending)
    {
        var queue = _queues[_oneQueue.Value ? 0 : shard];
        bool start;
        lock (queue)
        {
            queue.Waiting.Enqueue(pending);
            start = !queue.Sending;
            queue.Sending = true;
        }
        // Off the grain's scheduler: the queue outlives the turn of the grain whose record started it.
        if (start) _ = Task.Run(() => SendAllAsync(queue));
        return pending.Outcome.Task;
    }

    public async Task<string> StoredStandingAsync(string profileId) =>
        (string?)await Db.HashGetAsync(RedisLayout.Standings(Shards.Of(profileId)), profileId) ?? "";

    /// <summary>The touchpoint hash's ids, not the log's: a snapshot trims the log. Items the history tier took are
    /// not in Redis to drop; <see cref="HistoryTier.RewrittenAsync"/> deletes their rows by the ids kept.</summary>
    public async Task<IReadOnlyList<string>> JourneyIdsAsync(string profileId) =>
        [.. (await Db.HashKeysAsync(RedisLayout.JourneyTouchpoints(profileId))).Select(id => (string)id!).Where(RedisWriteProgram.IsTouchpointId)];

    private async Task SendAllAsync(ShardQueue queue)
    {
        while (true)
        {
            var batch = new List<PendingWrite>();
            var program = new RedisWriteProgram(clock, history is not null);
            lock (queue)
            {
                while (queue.Waiting.Count > 0 && (batch.Count == 0 || !program.IsFull))
                {
                    var next = queue.Waiting.Dequeue();
                    next.AddTo(program);
                    batch.Add(next);
                }
                if (batch.Count == 0)
                {
                    queue.Sending = false;
                    return;
                }
            }
            await SendAsync(program, batch);
        }
    }

    private async Task SendAsync(RedisWriteProgram program, List<PendingWrite> batch)
    {
        RedisResult[] answers;
        try
        {
            var (keys, arguments) = (program.Keys, program.Arguments);
            answers = (RedisResult[])(replicas is null
                ? await Db.ScriptEvaluateAsync(Script, keys, arguments)
                : await replicas.RunAsync(Script, ScriptSha, keys, arguments))!;
        }
        catch (Exception e)
        {
            foreach (var pending in batch) pending.Fail(e);
            return;
        }
        _batchSizes.Record(batch.Count);
        for (var i = 0; i < batch.Count; i++) batch[i].Complete(answers[i]);
    }

    private static string ReadScript()
    {
        using var stream = typeof(RedisWrites).Assembly.GetManifestResourceStream("Profiles.Grains.Writes.write.lua")
            ?? throw new InvalidOperationException("The write script is not embedded in Profiles.Grains.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private sealed class ShardQueue
    {
        public Queue<PendingWrite> Waiting { get; } = new();

        public bool Sending { get; set; }
    }

    /// <summary>A record waiting for its shard's next call: how to add it to the call, and to read its answer.</summary>
    private abstract class PendingWrite
    {
        public abstract void AddTo(RedisWriteProgram program);

        public abstract void Complete(RedisResult answer);

        public abstract void Fail(Exception e);
    }

    private sealed class PendingWrite<T>(Action<RedisWriteProgram> add, Func<RedisResult, T> read) : PendingWrite
    {
        public TaskCompletionSource<T> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void AddTo(RedisWriteProgram program) => add(program);

        public override void Complete(RedisResult answer)
        {
            try
            {
                Outcome.TrySetResult(read(answer));
            }
            catch (Exception e)
            {
                Outcome.TrySetException(e);
            }
        }

        public override void Fail(Exception e) => Outcome.TrySetException(e);
    }
}
