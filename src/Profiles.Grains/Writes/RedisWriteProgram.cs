using System.Runtime.CompilerServices;
using Profiles.Core.Touchpoints;
using Profiles.Grains.Changes;
using Profiles.Grains.History;
using Profiles.Grains.Journey;
using Profiles.Grains.Storage;
using StackExchange.Redis;

namespace Profiles.Grains.Writes;

/// <summary>
/// The keys and arguments of one call of the generic write script (<c>write.lua</c>) for any number of
/// <see cref="ProfileWrite"/>s of one shard: each record becomes a list of plain operations on the keys of
/// <see cref="RedisLayout"/>, and <see cref="Read"/> turns the script's answer for it back into a
/// <see cref="WriteOutcome"/>. Every key of one shard shares its hash tag, so the call touches one hash slot.
/// </summary>
/// <param name="historyTier">Whether a history tier takes old journey items: the writes then tell it which journeys
/// hold items (<see cref="RedisLayout.HistoryDue"/>) and which profiles were erased (<see cref="RedisLayout.HistoryErasures"/>).</param>
internal sealed class RedisWriteProgram(FeedClock clock, bool historyTier = false)
{
    /// <summary>The field of a journey's touchpoint hash that holds its writer epoch (no touchpoint id is empty).</summary>
    internal const string EpochField = "";

    /// <summary>The field of a journey's touchpoint hash that holds how many entries left the front of its log (no
    /// touchpoint id is "\u0002", a control character). Log positions are absolute, since a snapshot records how many
    /// entries it applied, and the entries a stored snapshot applied leave the log
    /// (<see cref="JourneyChange.LogTrimmed"/>): this count is the position of the log's first entry. Kept in the
    /// touchpoint hash, which lives as long as the journey does, so the erasure that deletes the hash forgets it
    /// too.</summary>
    internal const string TrimmedField = "\u0002";

    /// <summary>How many arguments a batch's list holds without growing: its array stays under the runtime's
    /// large-object threshold (85,000 bytes). A list that doubled past it would be a large object per batch, freed
    /// only by full collections: measured, eight gen2 collections in the bench's first minute of ingest.</summary>
    private static readonly int ArgumentCapacity = 84_000 / Unsafe.SizeOf<RedisValue>();

    /// <summary>A batch takes no further record once it holds this many arguments, leaving the capacity's last
    /// quarter for the record that crossed it; no batch holds Redis up for long either.</summary>
    public static readonly int FullAt = ArgumentCapacity * 3 / 4;

    private readonly List<RedisKey> _keys = [];
    private readonly Dictionary<RedisKey, int> _keyIndex = [];
    private readonly List<RedisValue> _args = new(ArgumentCapacity) { 0 };
    private readonly List<RedisValue> _record = [];
    private int _operations;
    private int _records;
    private string _minimumId = "";

    public RedisKey[] Keys => [.. _keys];

    public RedisValue[] Arguments => [.. _args];

    public bool IsFull => _args.Count >= FullAt;

    /// <summary>Adds a record; what its script answer means is the record's own concern (<see cref="Read"/>).</summary>
    public void Add(ProfileWrite write)
    {
        _minimumId = clock.MinimumId();
        var shard = Shards.Of(write.ProfileId);
        // Each key's index once per record: a record of a hundred touchpoints names the same four keys 500 times.
        var (owners, log, order, touchpoints) = (Key(RedisLayout.Owners(shard)), Key(RedisLayout.JourneyLog(write.ProfileId)),
            Key(RedisLayout.JourneyOrder(write.ProfileId)), Key(RedisLayout.JourneyTouchpoints(write.ProfileId)));
        var changes = Key(RedisLayout.Changes(shard));
        var at = clock.UtcNow;

        if (write.Writer is { } epoch) Op("epoch", touchpoints, EpochField, epoch, Key(RedisLayout.Erased(shard)), ErasureMarker.Of(write.ProfileId));
        foreach (var touchpoint in write.Appended)
        {
            Op("nx", owners, touchpoint.Id, write.ProfileId, 4);
            Op("rpush", log, touchpoint.Id);
            Op("zadd", order, 0, RedisJourneyStore.OrderMember(JourneyPosition.Of(touchpoint)));
            Op("hset", touchpoints, touchpoint.Id, StoredTouchpoint.Encode(touchpoint));
            Feed(changes, TouchpointChange.Of(write.ProfileId, touchpoint, at));
        }
        var retentionDue = Key(RedisLayout.RetentionDue(shard));
        if (write.Appended.Count > 0)
        {
            Op("zaddlt", retentionDue, RedisLayout.Score(write.Appended.Min(t => t.OccurredAt)), write.ProfileId);
        }
        if (historyTier) HistoryDue(write.ProfileId, shard, write.Appended);
        switch (write.Journey)
        {
            case JourneyChange.Erased:
                if (historyTier)
                {
                    Op("sadd", Key(RedisLayout.HistoryErasures(shard)), ErasureMarker.Of(write.ProfileId));
                    Op("zrem", Key(RedisLayout.HistoryDue(shard)), write.ProfileId);
                }
                // Every owner entry naming this profile is of an id its touchpoint hash holds: an append and a rewrite
                // write both (a duplicate append neither), a rewrite's dropped ids and the history mover's moved items
                // leave both, and retention keeps its links-only entries in the hash. The log no longer names every id
                // (a snapshot trims it). The hash's own fields (epoch, newest moved, trimmed) are never touchpoint ids.
                Op("hdelof", owners, touchpoints);
                Op("del", log);
                Op("del", order);
                Op("del", touchpoints);
                Op("del", Key(RedisLayout.JourneyRemoved(write.ProfileId)));
                Op("zrem", retentionDue, write.ProfileId);
                Op("sadd", Key(RedisLayout.Erased(shard)), ErasureMarker.Of(write.ProfileId));
                Op("sadd", Key(RedisLayout.FeedErasures(shard)), ErasureMarker.Of(write.ProfileId));
                break;
            case JourneyChange.Rewritten rewritten:
                foreach (var id in rewritten.Dropped)
                {
                    Op("hdel", touchpoints, id);
                    Op("hdelif", owners, id, write.ProfileId);
                }
                Op("del", log);
                Op("hdel", touchpoints, TrimmedField);
                Op("del", order);
                foreach (var touchpoint in rewritten.Touchpoints)
                {
                    Op("rpush", log, touchpoint.Id);
                    if (!touchpoint.ContentRemoved) Op("zadd", order, 0, RedisJourneyStore.OrderMember(JourneyPosition.Of(touchpoint)));
                    Op("hset", touchpoints, touchpoint.Id, StoredTouchpoint.Encode(touchpoint));
                    Op("hset", owners, touchpoint.Id, write.ProfileId);
                }
                var removed = Key(RedisLayout.JourneyRemoved(write.ProfileId));
                Op("del", removed);
                foreach (var entry in rewritten.Removed) Op("hset", removed, entry.Name, StoredRemovedContent.Encode(entry.Content));
                Due(retentionDue, write.ProfileId, rewritten.Touchpoints.Where(t => !t.ContentRemoved).Select(t => (DateTimeOffset?)t.OccurredAt).Min());
                if (historyTier) HistoryDue(write.ProfileId, shard, [.. rewritten.Touchpoints.Where(t => !t.ContentRemoved)]);
                break;
            case JourneyChange.ContentRemoved retained:
                foreach (var position in retained.Leaving) Op("zrem", order, RedisJourneyStore.OrderMember(position));
                foreach (var touchpoint in retained.Kept) Op("hset", touchpoints, touchpoint.Id, StoredTouchpoint.Encode(touchpoint));
                var kept = Key(RedisLayout.JourneyRemoved(write.ProfileId));
                foreach (var name in retained.Replaced) Op("hdel", kept, name);
                foreach (var entry in retained.Removed) Op("hset", kept, entry.Name, StoredRemovedContent.Encode(entry.Content));
                Due(retentionDue, write.ProfileId, retained.NextAt);
                break;
            case JourneyChange.LogTrimmed trimmed:
                Op("trim", log, touchpoints, TrimmedField, trimmed.Before);
                break;
        }
        if (write.Standing is { } step) Stand(write.ProfileId, shard, changes, step);
        foreach (var change in write.Changes) Feed(changes, change);
        if (write.Writer is not null || write.Journey is JourneyChange.Rewritten) Op("llen", log, touchpoints, TrimmedField);
        EndRecord();
    }

    /// <summary>Whether a field of a journey's touchpoint hash is a touchpoint id, not one of the journey's own notes
    /// (<see cref="EpochField"/>, <see cref="HistoryTier.NewestMovedField"/>, <see cref="TrimmedField"/>).</summary>
    internal static bool IsTouchpointId(string field) => field is not (EpochField or HistoryTier.NewestMovedField or TrimmedField);

    /// <summary>Adds the write of an identifier's pointer: <paramref name="profileId"/> (null: none) while the stored
    /// pointer is <paramref name="expected"/> (null: none), so two activations of one identifier cannot overwrite
    /// each other.</summary>
    public void Add(string identifierKey, string? expected, string? profileId)
    {
        var identifiers = Key(RedisLayout.Identifiers(Shards.Of(identifierKey)));
        Op("guard", identifiers, identifierKey, expected ?? "", 1, 0);
        if (profileId is null) Op("hdel", identifiers, identifierKey);
        else Op("hset", identifiers, identifierKey, profileId);
        EndRecord();
    }

    /// <summary>Whether an identifier's pointer was written (<see cref="Add(string, string?, string?)"/>).</summary>
    public static bool ReadPointer(RedisResult answer) => ((RedisResult[])answer!)[0] is { Resp2Type: ResultType.Integer } guard && (long)guard == 1;

    /// <summary>The outcome of <paramref name="write"/>, from the script's answer for its record.</summary>
    public static WriteOutcome Read(ProfileWrite write, RedisResult answer)
    {
        var pushed = (RedisResult[])answer!;
        if (write.Writer is not null && (long)pushed[0] == -1) return new WriteOutcome.Superseded();
        var next = 0;
        var epoch = write.Writer is not null ? (long)pushed[next++] : 0;
        var isNew = new bool[write.Appended.Count];
        for (var i = 0; i < isNew.Length; i++) isNew[i] = (long)pushed[next++] == 1;
        var standing = StandingOutcome.NoStep;
        if (write.Standing is not null)
        {
            var guard = pushed[next++];
            standing = guard.Resp2Type == ResultType.Integer
                ? (long)guard == 1 ? StandingOutcome.Stepped : StandingOutcome.NotAllNew
                : new StandingOutcome.Stale((string)guard!);
        }
        var length = next < pushed.Length ? (long)pushed[next] : 0;
        return new WriteOutcome.Applied(isNew, length, epoch, standing);
    }

    private void Stand(string profileId, int shard, int changes, StandingStep step)
    {
        var (standings, stats, audiences, recheck) =
            (Key(RedisLayout.Standings(shard)), Key(RedisLayout.Stats(shard)), Key(RedisLayout.Audiences(shard)), Key(RedisLayout.Recheck(shard)));
        Op("guard", standings, profileId, step.Expected, 0, step.OnlyIfAllNew ? 1 : 0);
        var guardAt = _record.Count - 2;
        var firstGuarded = _operations;
        // Scored in Unix seconds. Scores written as day numbers before (far smaller) come due at once: each such profile
        // is looked at once more and scored anew.
        if (step.To?.RecheckAt is { } at) Op("zadd", recheck, at.ToUnixTimeSeconds(), profileId);
        else Op("zrem", recheck, profileId);
        var anonymous = Key(RedisLayout.Anonymous(shard));
        if (step.To?.AnonymousLastSeen is { } seen) Op("zadd", anonymous, RedisLayout.Score(seen), profileId);
        else Op("zrem", anonymous, profileId);
        foreach (var (counter, delta) in step.CounterDeltas) Op("hincrby", stats, counter, delta);
        foreach (var audience in step.Entered) Op("zadd", audiences, 0, $"{audience}:{profileId}");
        foreach (var audience in step.Exited) Op("zrem", audiences, $"{audience}:{profileId}");
        foreach (var change in step.Changes) Feed(changes, change);
        if (step.To is null) Op("hdel", standings, profileId);
        else Op("hset", standings, profileId, step.Stored);
        // The guard's `then`: how many operations it covers, known once they are written.
        _record[guardAt] = _operations - firstGuarded;
    }

    /// <summary>The journey's place in its shard's retention index: when its oldest entry occurred, or none.</summary>
    private void Due(int retentionDue, string profileId, DateTimeOffset? oldest)
    {
        if (oldest is { } at) Op("zadd", retentionDue, RedisLayout.Score(at), profileId);
        else Op("zrem", retentionDue, profileId);
    }

    /// <summary>Notes when the oldest of these touchpoints occurred, so the history mover finds the journey once it is old.</summary>
    private void HistoryDue(string profileId, int shard, IReadOnlyList<Touchpoint> touchpoints)
    {
        if (touchpoints.Count == 0) return;
        Op("zaddlt", Key(RedisLayout.HistoryDue(shard)), touchpoints.Min(t => t.OccurredAt.ToUnixTimeMilliseconds()), profileId);
    }

    private void Feed(int changes, ProfileChange change) => Op("xadd", changes, _minimumId, RedisFeed.Field, RedisFeed.Encode(change));

    /// <summary>An operation: its name, then its operands (each name has a fixed number, see <c>write.lua</c>).</summary>
    private void Op(string name, params RedisValue[] operands)
    {
        _record.Add(name);
        _record.AddRange(operands);
        _operations++;
    }

    private void EndRecord()
    {
        _args.Add(_operations);
        _args.AddRange(_record);
        _record.Clear();
        _operations = 0;
        _records++;
        _args[0] = _records;
    }

    private int Key(RedisKey key)
    {
        if (!_keyIndex.TryGetValue(key, out var index))
        {
            _keys.Add(key);
            _keyIndex[key] = index = _keys.Count;
        }
        return index;
    }
}
