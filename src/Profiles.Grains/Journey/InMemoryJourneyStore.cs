using System.Collections.Concurrent;
using Profiles.Core.Profiles;
using Profiles.Core.Touchpoints;
using Profiles.Grains.Changes;
using Profiles.Grains.Standing;
using Profiles.Grains.Storage;
using Profiles.Grains.Writes;

namespace Profiles.Grains.Journey;

/// <summary>The embedded default: journeys in the process's memory, lost on restart, written by the same
/// <see cref="ProfileWrite"/> records as Redis. Its idempotency record is one map for all profiles, which needs no
/// shards.</summary>
public sealed class InMemoryJourneyStore(InMemoryStandingStore standings, InMemoryChangeFeed feed, TimeProvider time) : IJourneyStore, IWriteStore
{
    private static readonly Task<WriteOutcome> Superseded = Task.FromResult<WriteOutcome>(new WriteOutcome.Superseded());

    private static readonly IComparer<Touchpoint> JourneyOrder =
        Comparer<Touchpoint>.Create((a, b) => JourneyPosition.Of(a).CompareTo(JourneyPosition.Of(b)));

    private readonly ConcurrentDictionary<string, string> _ownerByTouchpointId = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ProfileJourney> _journeys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _erased = new(StringComparer.Ordinal);

    /// <summary>Applies the record under the journey's lock, as one Redis script call would.</summary>
    public Task<WriteOutcome> ApplyAsync(ProfileWrite write)
    {
        var profileId = write.ProfileId;
        var journey = _journeys.GetOrAdd(profileId, _ => new ProfileJourney());
        lock (journey)
        {
            var epoch = 0L;
            if (write.Writer is { } writer)
            {
                if (writer < journey.WriterEpoch) return Superseded;
                epoch = writer;
                if (journey.WriterEpoch == 0)
                {
                    if (_erased.ContainsKey(ErasureMarker.Of(profileId))) return Superseded;
                    journey.WriterEpoch = epoch = 1;
                }
            }
            var at = time.GetUtcNow();
            var isNew = new bool[write.Appended.Count];
            for (var i = 0; i < isNew.Length; i++)
            {
                var touchpoint = write.Appended[i];
                if (!_ownerByTouchpointId.TryAdd(touchpoint.Id, profileId)) continue;
                journey.Add(touchpoint);
                feed.Append(profileId, TouchpointChange.Of(profileId, touchpoint, at));
                isNew[i] = true;
            }
            switch (write.Journey)
            {
                case JourneyChange.Erased:
                    foreach (var touchpoint in journey.Log) _ownerByTouchpointId.TryRemove(touchpoint.Id, out _);
                    journey.Clear();
                    _journeys.TryRemove(KeyValuePair.Create(profileId, journey));
                    _erased[ErasureMarker.Of(profileId)] = true;
                    feed.Forget(profileId);
                    break;
                case JourneyChange.Rewritten rewritten:
                    foreach (var id in rewritten.Dropped) _ownerByTouchpointId.TryRemove(KeyValuePair.Create(id, profileId));
                    journey.Clear();
                    foreach (var touchpoint in rewritten.Touchpoints)
                    {
                        journey.Add(touchpoint);
                        _ownerByTouchpointId[touchpoint.Id] = profileId;
                    }
                    foreach (var entry in rewritten.Removed) journey.Removed[entry.Name] = entry;
                    break;
                case JourneyChange.ContentRemoved retained:
                    journey.Retain(retained);
                    break;
                case JourneyChange.LogTrimmed:
                    // Memory keeps its whole log, and loses it with the process: positions are its indexes, as before.
                    break;
            }
            var standing = write.Standing is { } step ? standings.Step(profileId, step, allNew: isNew.All(n => n)) : StandingOutcome.NoStep;
            foreach (var change in write.Changes) feed.Append(profileId, change);
            return Task.FromResult<WriteOutcome>(new WriteOutcome.Applied(isNew, journey.Log.Count, epoch, standing));
        }
    }

    public Task<string> StoredStandingAsync(string profileId) => Task.FromResult(standings.Stored(profileId));

    public Task<IReadOnlyList<string>> JourneyIdsAsync(string profileId)
    {
        if (!_journeys.TryGetValue(profileId, out var journey)) return Task.FromResult<IReadOnlyList<string>>([]);
        lock (journey)
        {
            return Task.FromResult<IReadOnlyList<string>>([.. journey.Log.Select(t => t.Id)]);
        }
    }

    public Task<IReadOnlySet<string>> StoredInAsync(IReadOnlyCollection<int> shards, IReadOnlyList<string> touchpointIds) =>
        Task.FromResult<IReadOnlySet<string>>(touchpointIds.Where(_ownerByTouchpointId.ContainsKey).ToHashSet(StringComparer.Ordinal));

    /// <summary>Memory keeps whole journeys: nothing is ever cold.</summary>
    public Task<IReadOnlySet<string>> StoredColdAsync(string profileId, IReadOnlyCollection<string> mergedProfileIds, IReadOnlyList<Touchpoint> touchpoints) =>
        Task.FromResult<IReadOnlySet<string>>(new HashSet<string>());

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

    public Task<IReadOnlyList<Touchpoint>> ReadWholeAsync(string profileId)
    {
        if (!_journeys.TryGetValue(profileId, out var journey)) return Task.FromResult<IReadOnlyList<Touchpoint>>([]);
        lock (journey)
        {
            return Task.FromResult<IReadOnlyList<Touchpoint>>([.. journey.Log]);
        }
    }

    public Task<long> WriterEpochAsync(string profileId)
    {
        if (!_journeys.TryGetValue(profileId, out var journey)) return Task.FromResult(0L);
        lock (journey)
        {
            return Task.FromResult(journey.WriterEpoch);
        }
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

    public Task<ExpiredEntries> ExpiredAsync(string profileId, DateTimeOffset before, int limit)
    {
        if (!_journeys.TryGetValue(profileId, out var journey)) return Task.FromResult(new ExpiredEntries([], null));
        lock (journey)
        {
            // Reading order is newest first: the oldest entries are at its end.
            var oldest = journey.Ordered.Reverse().Take(limit + 1).ToList();
            var expired = oldest.TakeWhile(t => t.OccurredAt < before).Take(limit).ToList();
            return Task.FromResult(new ExpiredEntries(expired, expired.Count < oldest.Count ? oldest[expired.Count].OccurredAt : null));
        }
    }

    public Task<IReadOnlyList<RemovedContent>> RemovedContentAsync(string profileId)
    {
        if (!_journeys.TryGetValue(profileId, out var journey)) return Task.FromResult<IReadOnlyList<RemovedContent>>([]);
        lock (journey)
        {
            return Task.FromResult<IReadOnlyList<RemovedContent>>([.. journey.Removed.Values]);
        }
    }

    /// <summary>The embedded default keeps no index: it looks at the oldest entry of each of the shard's journeys.</summary>
    public Task<IReadOnlyList<string>> HoldingEntriesBeforeAsync(int shard, DateTimeOffset before, int limit)
    {
        var due = new List<string>();
        foreach (var (profileId, journey) in _journeys)
        {
            if (due.Count == limit) break;
            if (Shards.Of(profileId) != shard) continue;
            lock (journey)
            {
                if (journey.Ordered.Count > 0 && journey.Ordered.Max!.OccurredAt < before) due.Add(profileId);
            }
        }
        return Task.FromResult<IReadOnlyList<string>>(due);
    }

    public Task<StorageReach> ReachAsync(TimeSpan timeout) => Task.FromResult(StorageReach.Everything);

    private sealed class ProfileJourney
    {
        public List<Touchpoint> Log { get; } = [];

        public long WriterEpoch { get; set; }

        public SortedSet<Touchpoint> Ordered { get; } = new(JourneyOrder);

        /// <summary>Removed content by name (<see cref="RemovedContent.Name"/>).</summary>
        public Dictionary<string, RemovedContent> Removed { get; } = new(StringComparer.Ordinal);

        public void Add(Touchpoint touchpoint)
        {
            Log.Add(touchpoint);
            if (!touchpoint.ContentRemoved) Ordered.Add(touchpoint);
        }

        public void Clear()
        {
            Log.Clear();
            Ordered.Clear();
            Removed.Clear();
        }

        public void Retain(JourneyChange.ContentRemoved retained)
        {
            foreach (var position in retained.Leaving) Ordered.Remove(Probe(position));
            var kept = retained.Kept.ToDictionary(t => t.Id, StringComparer.Ordinal);
            for (var i = 0; i < Log.Count; i++)
            {
                if (kept.TryGetValue(Log[i].Id, out var touchpoint)) Log[i] = touchpoint;
            }
            foreach (var name in retained.Replaced) Removed.Remove(name);
            foreach (var entry in retained.Removed) Removed[entry.Name] = entry;
        }

        /// <summary>A touchpoint that sorts where <paramref name="position"/> is: the order looks at nothing else.</summary>
        public static Touchpoint Probe(JourneyPosition position) =>
            new(position.TouchpointId, new DateTimeOffset(position.UtcTicks, TimeSpan.Zero), "", "", [], [], null);

        public IEnumerable<Touchpoint> After(JourneyPosition? position)
        {
            if (position is not { } p || Ordered.Count == 0) return Ordered;
            var probe = Probe(p);
            // GetViewBetween includes its bounds; the cursor's own entry was on the previous page.
            if (JourneyOrder.Compare(probe, Ordered.Max) >= 0) return [];
            return Ordered.GetViewBetween(probe, Ordered.Max).SkipWhile(t => JourneyOrder.Compare(t, probe) == 0);
        }
    }
}
