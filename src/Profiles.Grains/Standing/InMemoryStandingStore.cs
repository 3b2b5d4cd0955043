using Profiles.Grains.Changes;
using Profiles.Grains.Storage;

namespace Profiles.Grains.Standing;

/// <summary>
/// The embedded default's standings, in memory: the same rules as <see cref="StandingScript"/> applies in Redis
/// (the last standing per profile; counters and audience members changed by the difference; audience entries
/// and exits appended to the feed), under one lock.
/// </summary>
public sealed class InMemoryStandingStore(InMemoryChangeFeed feed, TimeProvider time) : IStandingStore
{
    private readonly object _gate = new();
    private readonly Dictionary<string, ProfileStanding> _standings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _counters = new(StringComparer.Ordinal);
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
            var (old, now) = (stored ?? None, standing ?? None);
            Add("profiles", (standing is null ? 0 : 1) - (stored is null ? 0 : 1));
            Add("identified", Flag(now.Identified) - Flag(old.Identified));
            Add("online", Flag(now.Online) - Flag(old.Online));
            Add("offline", Flag(now.Offline) - Flag(old.Offline));
            Add("omnichannel", Flag(now.Online && now.Offline) - Flag(old.Online && old.Offline));
            Add("touchpoints", now.Touchpoints - old.Touchpoints);
            foreach (var channel in now.Channels.Keys.Union(old.Channels.Keys))
            {
                var (before, after) = (old.Channels.GetValueOrDefault(channel), now.Channels.GetValueOrDefault(channel));
                Add($"c:{channel}:t", after - before);
                Add($"c:{channel}:p", Flag(after > 0) - Flag(before > 0));
            }
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
            return Task.FromResult(StandingTotals.From(_counters));
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

    private static readonly ProfileStanding None = new(false, new Dictionary<string, long>(), []);

    private static int Flag(bool value) => value ? 1 : 0;

    private void Add(string field, long delta)
    {
        if (delta != 0) _counters[field] = _counters.GetValueOrDefault(field) + delta;
    }
}
