using Profiles.Grains.Changes;
using Profiles.Grains.Storage;

namespace Profiles.Grains.Standing;

/// <summary>
/// The embedded default's standings, in memory: the same rules as <see cref="StandingScript"/> applies in Redis
/// (the last standing per profile; per-shard counters and audience members changed by the difference; audience
/// entries and exits appended to the feed), under one lock. Counters are kept per shard as in Redis, so a
/// recount answers alike in both modes.
/// </summary>
public sealed class InMemoryStandingStore(InMemoryChangeFeed feed, TimeProvider time) : IStandingStore
{
    private readonly object _gate = new();
    private readonly Dictionary<string, ProfileStanding> _standings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long>[] _counters = [.. Shards.All.Select(_ => new Dictionary<string, long>(StringComparer.Ordinal))];
    private readonly SortedSet<string> _members = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateOnly> _recheck = new(StringComparer.Ordinal);

    public Task ReportAsync(string profileId, ProfileStanding? standing, IReadOnlyList<ProfileChange> changes)
    {
        lock (_gate)
        {
            Stand(profileId, standing);
            foreach (var change in changes) feed.Append(profileId, change);
        }
        return Task.CompletedTask;
    }

    /// <summary>Applies a standing; callers hold the lock of the write it belongs to.</summary>
    public void Stand(string profileId, ProfileStanding? standing)
    {
        lock (_gate)
        {
            if (standing?.RecheckOn is { } day) _recheck[profileId] = day;
            else _recheck.Remove(profileId);
            var stored = _standings.GetValueOrDefault(profileId);
            if (stored?.Encode() == standing?.Encode()) return;
            var counters = _counters[Shards.Of(profileId)];
            foreach (var (counter, value) in standing?.Counters() ?? []) Add(counters, counter, value);
            foreach (var (counter, value) in stored?.Counters() ?? []) Add(counters, counter, -value);
            var (old, now) = (stored ?? None, standing ?? None);
            var at = time.GetUtcNow();
            foreach (var audience in now.Audiences.Except(old.Audiences))
            {
                _members.Add($"{audience}:{profileId}");
                feed.Append(profileId, new ProfileChange(ChangeTypes.AudienceEntered, profileId, at, [new("audience", audience)]));
            }
            foreach (var audience in old.Audiences.Except(now.Audiences))
            {
                _members.Remove($"{audience}:{profileId}");
                feed.Append(profileId, new ProfileChange(ChangeTypes.AudienceExited, profileId, at, [new("audience", audience)]));
            }
            if (standing is null) _standings.Remove(profileId);
            else _standings[profileId] = standing;
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

    public Task<IReadOnlyList<string>> DueForRecheckAsync(DateOnly today)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<string>>([.. _recheck.Where(r => r.Value <= today).Select(r => r.Key)]);
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

    private static readonly ProfileStanding None = new(false, new Dictionary<string, long>(), []);

    private static void Add(Dictionary<string, long> counters, string counter, long delta)
    {
        if (delta != 0) counters[counter] = counters.GetValueOrDefault(counter) + delta;
    }
}
