using Profiles.Testing;

namespace Profiles.Cluster.Tests;

/// <summary>A merge is two writes on two grains; a node can die between them or just after. Whatever the point,
/// once the grains wake up again nothing is lost and nothing is doubled.</summary>
[Collection(ClusterCollection.Name)]
public class MergeCrashTests(ClusterFixture fixture)
{
    private static readonly DateTimeOffset At = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
    private readonly string _run = Guid.NewGuid().ToString("n")[..8];

    [Fact]
    public async Task A_merge_cut_off_after_the_loser_recorded_its_survivor_completes_once_when_the_loser_wakes()
    {
        var (survivor, loser) = await TwoProfilesAsync();
        await fixture.Cluster.RewriteStoredStateAsync(loser, state => (state.ForwardedTo, state.HandoffPending) = (survivor, true));

        var answered = await fixture.Cluster.Reader(1).FindByIdAsync(loser);

        Assert.Equal(survivor, answered!.ProfileId);
        Assert.Equal(2, answered.Content.Touchpoints);
        Assert.Equal(2, answered.Content.Identifiers.Count);
        Assert.Equal([loser], answered.MergedProfileIds);
    }

    [Fact]
    public async Task A_hand_off_delivered_twice_because_the_loser_died_before_noting_it_counts_once()
    {
        var (survivor, loser) = await TwoProfilesAsync();
        ProfileStateSnapshot? beforeMerge = null;
        await fixture.Cluster.RewriteStoredStateAsync(loser, state => beforeMerge = new(state.Content, state.AppliedLogLength));
        await fixture.Cluster.IngestAsync(Link());

        // The survivor took the content; the loser's own note of it never reached storage.
        await fixture.Cluster.RewriteStoredStateAsync(loser, state =>
        {
            (state.ForwardedTo, state.HandoffPending) = (survivor, true);
            (state.Content, state.AppliedLogLength) = (beforeMerge!.Content, beforeMerge.AppliedLogLength);
        });
        var answered = await fixture.Cluster.Reader().FindByIdAsync(loser);

        Assert.Equal(survivor, answered!.ProfileId);
        Assert.Equal(3, answered.Content.Touchpoints);
        Assert.Equal(3, (await fixture.Cluster.JourneyIdsAsync(loser)).Count);
    }

    /// <summary>Two separate profiles; returns them as (smaller id, larger id): the survivor and the loser of a merge.</summary>
    private async Task<(string Survivor, string Loser)> TwoProfilesAsync()
    {
        var a = (await fixture.Cluster.IngestAsync(TestTouchpoints.Make($"{_run}-a", At, "web", "login", [("email", $"a.{_run}@example.com")])))[0].ProfileId;
        var b = (await fixture.Cluster.IngestAsync(TestTouchpoints.Make($"{_run}-b", At, "store", "purchase", [("loyalty_id", $"L-{_run}")])))[0].ProfileId;
        return string.CompareOrdinal(a, b) < 0 ? (a, b) : (b, a);
    }

    private Profiles.Core.Touchpoints.Touchpoint Link() =>
        TestTouchpoints.Make($"{_run}-link", At.AddHours(1), "crm", "import", [("email", $"a.{_run}@example.com"), ("loyalty_id", $"L-{_run}")]);

    private sealed record ProfileStateSnapshot(Profiles.Core.Profiles.ProfileContent Content, long AppliedLogLength);
}
