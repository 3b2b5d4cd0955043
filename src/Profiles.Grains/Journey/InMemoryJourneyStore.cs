using System.Collections.Concurrent;
using Profiles.Core.Touchpoints;
using Profiles.Grains.Changes;
using Profiles.Grains.Standing;

namespace Profiles.Grains.Journey;

/// <summary>The embedded default: journeys in the process's memory, lost on restart. Its idempotency record is
/// one map for all profiles, which needs no shards.</summary>
public sealed class InMemoryJourneyStore(InMemoryStandingStore standings, InMemoryChangeFeed feed, TimeProvider time) : IJourneyStore
{
    private static readonly IComparer<Touchpoint> JourneyOrder =
        Comparer<Touchpoint>.Create((a, b) => JourneyPosition.Of(a).CompareTo(JourneyPosition.Of(b)));

    private readonly ConcurrentDictionary<string, string> _ownerByTouchpointId = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ProfileJourney> _journeys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _erased = new(StringComparer.Ordinal);

    public Task<AppendResult> AppendAsync(string profileId, long writerEpoch, IReadOnlyList<Touchpoint> touchpoints, ProfileStanding? standingIfAllNew)
    {
        var journey = _journeys.GetOrAdd(profileId, _ => new ProfileJourney());
        var isNew = new bool[touchpoints.Count];
        lock (journey)
        {
            if (writerEpoch < journey.WriterEpoch) throw new JourneyWriterSupersededException(profileId);
            if (journey.WriterEpoch == 0)
            {
                if (_erased.ContainsKey(ErasureMarker.Of(profileId))) throw new JourneyWriterSupersededException(profileId);
                journey.WriterEpoch = 1;
            }
            var at = time.GetUtcNow();
            for (var i = 0; i < touchpoints.Count; i++)
            {
                if (!_ownerByTouchpointId.TryAdd(touchpoints[i].Id, profileId)) continue;
                journey.Log.Add(touchpoints[i]);
                journey.Ordered.Add(touchpoints[i]);
                feed.Append(profileId, TouchpointChange.Of(profileId, touchpoints[i], at));
                isNew[i] = true;
            }
            var recorded = standingIfAllNew is not null && isNew.All(n => n);
            if (recorded) standings.Stand(profileId, standingIfAllNew);
            return Task.FromResult(new AppendResult(isNew, journey.Log.Count, recorded, journey.WriterEpoch));
        }
    }

    public Task<IReadOnlySet<string>> StoredInAsync(IReadOnlyCollection<int> shards, IReadOnlyList<string> touchpointIds) =>
        Task.FromResult<IReadOnlySet<string>>(touchpointIds.Where(_ownerByTouchpointId.ContainsKey).ToHashSet(StringComparer.Ordinal));

    public Task<OpenedJourney> OpenAsync(string profileId, long from)
    {
        var erased = _erased.ContainsKey(ErasureMarker.Of(profileId));
        if (!_journeys.TryGetValue(profileId, out var journey)) return Task.FromResult(new OpenedJourney([], erased, 0));
        lock (journey)
        {
            return Task.FromResult(new OpenedJourney([.. journey.Log.Skip((int)from)], erased, ++journey.WriterEpoch));
        }
    }

    public Task<JourneyResume> ResumeAsync(string profileId, long from)
    {
        var erased = _erased.ContainsKey(ErasureMarker.Of(profileId));
        if (!_journeys.TryGetValue(profileId, out var journey)) return Task.FromResult(new JourneyResume([], erased));
        lock (journey)
        {
            return Task.FromResult(new JourneyResume([.. journey.Log.Skip((int)from)], erased));
        }
    }

    public Task EraseAsync(string profileId, bool announce)
    {
        _erased[ErasureMarker.Of(profileId)] = true;
        if (_journeys.TryRemove(profileId, out var journey))
        {
            lock (journey)
            {
                foreach (var touchpoint in journey.Log) _ownerByTouchpointId.TryRemove(touchpoint.Id, out _);
            }
        }
        standings.Stand(profileId, null);
        if (announce) feed.Append(profileId, ProfileChange.Erased(profileId, time.GetUtcNow()));
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<Touchpoint>> ReadPageAsync(IReadOnlyList<string> profileIds, JourneyPosition? after, int limit)
    {
        var page = new List<Touchpoint>();
        foreach (var profileId in profileIds)
        {
            if (!_journeys.TryGetValue(profileId, out var journey)) continue;
            lock (journey)
            {
                page.AddRange(journey.After(after).Take(limit));
            }
        }
        page.Sort(JourneyOrder);
        return Task.FromResult<IReadOnlyList<Touchpoint>>(page.Count > limit ? page.GetRange(0, limit) : page);
    }

    public Task<long> RewriteAsync(string profileId, IReadOnlyList<Touchpoint> touchpoints)
    {
        var journey = _journeys.GetOrAdd(profileId, _ => new ProfileJourney());
        lock (journey)
        {
            var keep = touchpoints.Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
            foreach (var gone in journey.Log.Where(t => !keep.Contains(t.Id))) _ownerByTouchpointId.TryRemove(KeyValuePair.Create(gone.Id, profileId));
            journey.Log.Clear();
            journey.Ordered.Clear();
            foreach (var touchpoint in touchpoints)
            {
                journey.Log.Add(touchpoint);
                journey.Ordered.Add(touchpoint);
                _ownerByTouchpointId[touchpoint.Id] = profileId;
            }
            return Task.FromResult((long)journey.Log.Count);
        }
    }

    public Task PingAsync() => Task.CompletedTask;

    private sealed class ProfileJourney
    {
        public List<Touchpoint> Log { get; } = [];

        public long WriterEpoch { get; set; }

        public SortedSet<Touchpoint> Ordered { get; } = new(JourneyOrder);

        public IEnumerable<Touchpoint> After(JourneyPosition? position)
        {
            if (position is not { } p || Ordered.Count == 0) return Ordered;
            var probe = new Touchpoint(p.TouchpointId, new DateTimeOffset(p.UtcTicks, TimeSpan.Zero), "", "", [], [], null);
            // GetViewBetween includes its bounds; the cursor's own entry was on the previous page.
            if (JourneyOrder.Compare(probe, Ordered.Max) >= 0) return [];
            return Ordered.GetViewBetween(probe, Ordered.Max).SkipWhile(t => JourneyOrder.Compare(t, probe) == 0);
        }
    }
}
