using Profiles.Contracts;
using Profiles.Core.Touchpoints;
using Profiles.Grains.Abstractions;
using Profiles.Testing;

namespace Profiles.Cluster.Tests;

/// <summary>Erasing a customer (<c>DELETE /v1/profiles/{id}</c>) on a cluster of two silos reaches the profile that
/// stands for the customer when the erasure acts, whatever id it was asked with.</summary>
[Collection(ClusterCollection.Name)]
public class ErasureTests(ClusterFixture fixture)
{
    private static readonly DateTimeOffset Start = new(2026, 11, 20, 8, 0, 0, TimeSpan.Zero);
    private readonly string _run = Guid.NewGuid().ToString("n")[..8];

    [Fact]
    public async Task Erasing_through_an_id_merged_away_erases_the_whole_customer_it_leads_to()
    {
        var email = new IdentifierInput("email", $"gone.{_run}@example.com");
        var loyalty = new IdentifierInput("loyalty_id", $"GONE-{_run}");
        var first = (await fixture.Cluster.IngestAsync(Touch("web", email)))[0].ProfileId;
        var second = (await fixture.Cluster.IngestAsync(Touch("store", loyalty)))[0].ProfileId;
        var survivor = (await fixture.Cluster.IngestAsync(Touch("link", email, loyalty)))[0].ProfileId;
        var mergedAway = new[] { first, second }.Single(id => id != survivor);

        // What an erasure meets when a merge lands between finding the customer and erasing them: the profile it found
        // has been merged away. Erasing there would forget a shell and leave the customer standing in the survivor.
        var stale = await fixture.Cluster.Grains.GetGrain<IProfileErase>(mergedAway).Erase();
        Assert.Equal((ProfileReplyKind.Forwarded, survivor), (stale.Kind, stale.ProfileId));
        Assert.Equal(3, (await fixture.Cluster.Reader(1).FindByIdAsync(mergedAway))!.Content.Touchpoints);

        Assert.True(await fixture.Cluster.Eraser(1).EraseAsync(mergedAway));

        foreach (var id in new[] { survivor, mergedAway })
        {
            Assert.Null(await fixture.Cluster.Reader(0).FindByIdAsync(id));
            Assert.Null(await fixture.Cluster.Reader(1).ReadJourneyAsync(id, null, 10));
        }
        foreach (var identifier in new[] { email, loyalty })
        {
            Assert.Null(await fixture.Cluster.Reader(0).FindByIdentifierAsync(TestIdentifiers.Read(identifier).Key));
        }
        Assert.False(await fixture.Cluster.Eraser(0).EraseAsync(survivor));
    }

    private Touchpoint Touch(string name, params IdentifierInput[] identifiers) =>
        TestTouchpoints.Make($"{_run}-{name}", Start, "web", "page_view", [.. identifiers.Select(i => (i.Type, i.Value!))]);
}
