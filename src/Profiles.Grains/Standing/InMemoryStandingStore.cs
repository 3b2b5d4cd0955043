using Profiles.Grains.Changes;
using Profiles.Grains.Storage;
using Profiles.Grains.Writes;

namespace Profiles.Grains.Standing;

/// <summary>
/// The embedded default's standings, in memory: the last standing per profile, per-shard counters and audience
/// members, changed by the steps of write records (<see cref="StandingStep"/>) as Redis is, under one lock. Counters
/// are kept per shard as in Redis, so a recount answers alike in both modes.
/// </summary>
public sealed class InMemoryStandingStore(InMemoryChangeFeed feed) : IStandingStore
{
    private readonly object _gate = new();
    private readonly Dictionary<string, ProfileStanding> _standings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long>[] _counters = [.. Shards.All.Select(_ => new Dictionary<string, long>(StringComparer.Ordinal))];
    private readonly SortedSet<string> _members = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _recheck = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _anonymous = new(StringComparer.Ordinal);

    /// <summary>The standing stored for the profile, encoded; empty for none.</summary>
    public string Stored(string profileId)
    {
        lock (_gate)
        {
            return _standings.GetValueOrDefault(profileId)?.Encode() ?? "";
        }
    }

    /// <summary>Applies a step of a write record while the standing it starts from is the one stored, as the Redis
    /// script's guard does; callers hold the lock of the write it belongs to.</summary>
    /// <param name="allNew">Whether every touchpoint the write appended was new.</param>
    public StandingOutcome Step(string profileId, StandingStep step, bool allNew)
    {
        lock (_gate)
        {
            if (step.OnlyIfAllNew && !allNew) return StandingOutcome.NotAllNew;
            var stored = _standings.GetValueOrDefault(profileId)?.Encode() ?? "";
            if (stored != step.Expected) return new StandingOutcome.Stale(stored);
            if (step.To?.RecheckAt is { } at) _recheck[profileId] = at;
            else _recheck.Remove(profileId);
            if (step.To?.AnonymousLastSeen is { } seen) _anonymous[profileId] = seen;
            else _anonymous.Remove(profileId);
            var counters = _counters[Shards.Of(profileId)];
            foreach (var (counter, delta) in step.CounterDeltas) Add(counters, counter, delta);
            foreach (var audience in step.Entered) _members.Add($"{audience}:{profileId}");
            foreach (var audience in step.Exited) _members.Remove($"{audience}:{profileId}");
            foreach (var change in step.Changes) feed.Append(profileId, change);
            if (step.To is null) _standings.Remove(profileId);
            else _standings[profileId] = step.To;
            return StandingOutcome.Stepped;
        }
    }

    public Task<StandingTotals> ReadTotalsAsync()
    {
        lock (_gate)
        {
            return Task.FromResult(StandingTotals.From(_counters.SelectMany(shard => shard)));
        }
    }

    public Task<IReadOnlyDictionary<string, long>> CountAudiencesAsync(IReadOnlyList<string> audiences)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyDictionary<string, long>>(audiences.ToDictionary(
                a => a, a => (long)_members.GetViewBetween($"{a}:", $"{a};").Count, StringComparer.Ordinal));
        }
    }

    public Task<AudiencePage> ReadAudienceAsync(string audience, string? cursor, int limit)
    {
        lock (_gate)
        {
            var from = cursor is null ? $"{audience}:" : $"{audience}:{cursor}";
            var page = _members.GetViewBetween(from, $"{audience};").Where(m => cursor is null || m != from).Take(limit + 1)
                .Select(m => m[(audience.Length + 1)..]).ToList();
            return Task.FromResult(page.Count > limit ? new AudiencePage(page[..limit], page[limit - 1]) : new AudiencePage(page, null));
        }
    }

    public Task<IReadOnlyList<string>> DueForRecheckAsync(DateTimeOffset now)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<string>>([.. _recheck.Where(r => r.Value <= now).Select(r => r.Key)]);
        }
    }

    public Task<IReadOnlyList<string>> AnonymousLastSeenBeforeAsync(int shard, DateTimeOffset before, int limit)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<string>>([.. _anonymous.Where(a => a.Value < before && Shards.Of(a.Key) == shard).Select(a => a.Key).Take(limit)]);
        }
    }

    public Task<StandingRecount> RecountAsync()
    {
        lock (_gate)
        {
            var recounted = Shards.All.Select(_ => new Dictionary<string, long>(StringComparer.Ordinal)).ToArray();
            foreach (var (profileId, standing) in _standings)
            {
                foreach (var (counter, value) in standing.Counters()) Add(recounted[Shards.Of(profileId)], counter, value);
            }
            var corrections = new List<CounterCorrection>();
            foreach (var shard in Shards.All)
            {
                var (was, now) = (_counters[shard], recounted[shard]);
                corrections.AddRange(was.Keys.Union(now.Keys).Order(StringComparer.Ordinal)
                    .Where(counter => was.GetValueOrDefault(counter) != now.GetValueOrDefault(counter))
                    .Select(counter => new CounterCorrection(shard, counter, was.GetValueOrDefault(counter), now.GetValueOrDefault(counter))));
                _counters[shard] = now;
            }
            return Task.FromResult(new StandingRecount(_standings.Count, corrections));
        }
    }

    private static void Add(Dictionary<string, long> counters, string counter, long delta)
    {
        if (delta != 0) counters[counter] = counters.GetValueOrDefault(counter) + delta;
    }
}
