using Profiles.Core.Resolution;
using Profiles.Core.Rules;
using Profiles.Core.Touchpoints;
using Profiles.Grains.Abstractions;
using Profiles.Grains.Resolution;
using Profiles.Testing;

namespace Profiles.Cluster.Tests;

/// <summary>
/// Why following forwarding pointers ends (docs/ARCHITECTURE.md, "Why following forwards ends"), on a cluster of two
/// silos, in the worst case: resolutions that forward old ids to larger ones, merges of those profiles, and resolutions
/// again. Every id ever answered leads, hop by hop and through the readers, to the profile holding its strongest
/// identifier, through no id twice, while readers on both silos follow every id all along.
/// </summary>
[Collection(ClusterCollection.Name)]
public class ForwardingTests(ClusterFixture fixture)
{
    private static readonly DateTimeOffset Start = new(2026, 6, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly Comparer<IdentifierRef> StrongestFirst = Comparer<IdentifierRef>.Create(IdentityRules.None.Compare);

    private readonly string _run = Guid.NewGuid().ToString("n")[..8];

    // Every profile id answered so far, with the identifier that was its strongest: the profile holding that
    // identifier now is where the id must lead.
    private readonly Dictionary<string, IdentifierRef> _answered = new(StringComparer.Ordinal);

    private TwoSiloCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task Ids_forwarded_to_larger_ones_by_resolutions_then_merged_and_resolved_again_all_lead_to_the_right_profile()
    {
        // With no identity rules, a crm_id is stronger than an email, itself stronger than a phone.
        var (ann, shared, bob, carl, dan) = (Id("crm_id", "ann"), Id("phone", "+33612345678"), Id("email", "bob"), Id("crm_id", "carl"), Id("email", "dan"));
        using var readers = new BackgroundReaders(Cluster, _answered);

        var p1 = await NewProfileAsync("ann", 0, ann, shared);
        var p2 = await NewProfileAsync("bob", 1, bob);
        var p3 = await NewProfileAsync("carl", 2, carl);
        var p4 = await NewProfileAsync("dan", 3, dan);
        Assert.True(Ordered(p1, p2, p3, p4), $"Profiles made one after another have growing ids: {p1} {p2} {p3} {p4}");

        // bob's profile merges into ann's, the smaller.
        Assert.Equal(p1, await IngestAsync("bob-phone", 4, bob, shared));
        await AssertEveryIdLeadsRightAsync(readers);

        // Unlinking ann and bob splits them. bob's part holds the strongest identifier of no surviving profile, so it
        // gets a new id, made now, larger than any before; bob's old id goes with its strongest identifier, there.
        var n1 = await CorrectAsync(OperatorEntry.Unlink, p1, ann, bob, answersFor: bob);
        Assert.True(string.CompareOrdinal(n1, p2) > 0);
        Assert.Equal([p2, n1], await PathAsync(p2));
        await AssertEveryIdLeadsRightAsync(readers);

        // The new, larger profile merges into carl's, smaller: p2 now leads up to n1, then down to p3.
        Assert.Equal(p3, await IngestAsync("bob-carl", 5, carl, bob));
        Assert.Equal([p2, n1, p3], await PathAsync(p2));
        await AssertEveryIdLeadsRightAsync(readers);

        // Unlinking carl and bob: carl keeps p3, bob's part gets a new id again, larger than n1, and both of bob's old
        // ids lead there.
        var n2 = await CorrectAsync(OperatorEntry.Unlink, p3, carl, bob, answersFor: bob);
        Assert.True(string.CompareOrdinal(n2, n1) > 0);
        Assert.Equal([n1, n2], await PathAsync(n1));
        Assert.Equal([p2, n2], await PathAsync(p2));
        await AssertEveryIdLeadsRightAsync(readers);

        // bob's newest profile merges into dan's, smaller.
        Assert.Equal(p4, await IngestAsync("bob-dan", 6, bob, dan));
        Assert.Equal([n1, n2, p4], await PathAsync(n1));
        await AssertEveryIdLeadsRightAsync(readers);

        // Relinking ann and bob joins ann's profile and bob's (dan's) again; carl stays apart.
        Assert.Equal(p1, await CorrectAsync(OperatorEntry.Relink, p1, ann, bob, answersFor: bob));
        await AssertEveryIdLeadsRightAsync(readers);
        var annNow = await Cluster.Reader(1).FindByIdentifierAsync(ann.Key);
        Assert.Equal(p1, annNow!.ProfileId);
        Assert.Equal(new[] { ann, shared, bob, dan }.Select(i => i.Key).Order(), annNow.Content.Identifiers.Keys.Order());
        Assert.Equal([carl.Key], (await Cluster.Reader().FindByIdentifierAsync(carl.Key))!.Content.Identifiers.Keys);
        foreach (var id in new[] { p2, p4, n1, n2 }) Assert.Equal(p1, (await Cluster.Reader(1).FindByIdAsync(id))!.ProfileId);
        Assert.Equal(p3, (await Cluster.Reader(1).FindByIdAsync(p3))!.ProfileId);

        Assert.Empty(await readers.StopAsync());
    }

    /// <summary>Each id answered so far leads, one pointer at a time, to the profile that holds its strongest identifier
    /// now, through no id twice; and the readers of both silos answer that profile for it. The background readers have
    /// each followed every id once more since the last change, so they read through every step, however slow the
    /// machine.</summary>
    private async Task AssertEveryIdLeadsRightAsync(BackgroundReaders readers)
    {
        await readers.EachReadAllAgainAsync();
        foreach (var (id, strongest) in _answered)
        {
            var holder = (await Cluster.Reader().FindByIdentifierAsync(strongest.Key))!.ProfileId;
            var path = await PathAsync(id);
            Assert.Equal(holder, path[^1]);
            Assert.Equal(path.Count, path.Distinct().Count());
            Assert.True(path.Count <= _answered.Count, $"{id} leads to {holder} through {path.Count} ids, more than were ever answered.");
            Assert.Equal(holder, (await Cluster.Reader(0).FindByIdAsync(id))!.ProfileId);
            Assert.Equal(holder, (await Cluster.Reader(1).FindByIdAsync(id))!.ProfileId);
        }
    }

    /// <summary>The ids a profile id's forwarding pointers lead through as they stand, itself first and the profile that
    /// answers last, read one pointer at a time.</summary>
    private async Task<List<string>> PathAsync(string profileId)
    {
        List<string> path = [profileId];
        while (await Cluster.Grains.GetGrain<IProfileRead>(path[^1]).Get() is { Kind: ProfileReplyKind.Forwarded } forwarded)
        {
            Assert.DoesNotContain(forwarded.ProfileId, path);
            path.Add(forwarded.ProfileId);
        }
        return path;
    }

    private async Task<string> NewProfileAsync(string name, int minutes, params IdentifierRef[] identifiers)
    {
        // Profile ids begin with the millisecond they were made in.
        await Task.Delay(5);
        return await IngestAsync(name, minutes, identifiers);
    }

    private async Task<string> IngestAsync(string name, int minutes, params IdentifierRef[] identifiers)
    {
        var touchpoint = new Touchpoint($"{_run}-{name}", Start.AddMinutes(minutes), "web", "login", [.. identifiers.Order(StrongestFirst)], [], null);
        var profileId = (await Cluster.Ingestor(minutes).IngestAsync([touchpoint]))[0].ProfileId;
        Answered(profileId, touchpoint.Identifiers[0]);
        return profileId;
    }

    /// <summary>An operator's correction, from alternating silos; answers the profile <paramref name="answersFor"/> is in
    /// after it.</summary>
    private async Task<string> CorrectAsync(string kind, string profileId, IdentifierRef one, IdentifierRef other, IdentifierRef answersFor)
    {
        var done = Assert.IsType<Correction.Done>(await Cluster.Corrections(_answered.Count).CorrectAsync(kind, profileId, [one, other]));
        foreach (var profile in done.Profiles)
        {
            var strongest = profile.Content.Identifiers.Select(i => new IdentifierRef(i.Value.Type, i.Key, i.Value.Hint, i.Value.FromHash)).Min(StrongestFirst)!;
            Answered(profile.ProfileId, strongest);
        }
        return done.Profiles.Single(p => p.Content.Identifiers.ContainsKey(answersFor.Key)).ProfileId;
    }

    private void Answered(string profileId, IdentifierRef strongest)
    {
        lock (_answered) _answered.TryAdd(profileId, strongest);
    }

    private IdentifierRef Id(string type, string name) =>
        TestIdentifiers.Read(type, type switch
        {
            "email" => $"{name}.{_run}@example.com",
            "phone" => name,
            _ => $"{name}-{_run}",
        });

    private static bool Ordered(params string[] ids) => ids.Zip(ids.Skip(1)).All(pair => string.CompareOrdinal(pair.First, pair.Second) < 0);

    /// <summary>Readers on both silos that follow every id answered so far, over and over, while merges and
    /// resolutions change the pointers under them: each read must end, at a profile, without a cycle.</summary>
    private sealed class BackgroundReaders : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task<List<Exception>>[] _readers;
        // How many times each reader has followed every id answered so far.
        private readonly int[] _rounds = new int[4];

        public BackgroundReaders(TwoSiloCluster cluster, Dictionary<string, IdentifierRef> answered)
        {
            _readers = [.. Enumerable.Range(0, _rounds.Length).Select(reader => Task.Run(async () =>
            {
                var failures = new List<Exception>();
                while (!_stop.IsCancellationRequested)
                {
                    string[] ids;
                    lock (answered) ids = [.. answered.Keys];
                    foreach (var id in ids)
                    {
                        try
                        {
                            if (await cluster.Reader(reader).FindByIdAsync(id) is null) failures.Add(new InvalidOperationException($"{id} led nowhere."));
                        }
                        catch (Exception e)
                        {
                            failures.Add(e);
                        }
                    }
                    Interlocked.Increment(ref _rounds[reader]);
                    await Task.Delay(2);
                }
                return failures;
            }))];
        }

        /// <summary>Waits until every reader has started and finished a round over the ids after this call (two rounds
        /// counted: the one under way may have started before).</summary>
        public async Task EachReadAllAgainAsync()
        {
            var before = (int[])_rounds.Clone();
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (Enumerable.Range(0, _rounds.Length).Any(reader => Volatile.Read(ref _rounds[reader]) < before[reader] + 2))
            {
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"The readers followed every id {string.Join(", ", _rounds)} times, and stopped.");
                await Task.Delay(10);
            }
        }

        /// <summary>How each read that failed failed.</summary>
        public async Task<List<Exception>> StopAsync()
        {
            await _stop.CancelAsync();
            return [.. (await Task.WhenAll(_readers)).SelectMany(f => f)];
        }

        public void Dispose() => _stop.Cancel();
    }
}
