using System.Net;
using System.Text.Json.Nodes;
using Profiles.Testing;

namespace Profiles.Http.Tests;

/// <summary>GET /v1/stats on a node of its own, so every figure is exact: through merges and erasure.</summary>
public class StatsApiTests(NodeFixture node) : IClassFixture<NodeFixture>
{
    private static readonly DateTimeOffset At = new(2026, 11, 20, 18, 0, 0, TimeSpan.Zero);
    private readonly Api _api = new(node.CreateClient());

    [Fact]
    public async Task The_figures_follow_each_profile_through_a_merge_and_an_erasure()
    {
        await _api.IngestAsync(new[]
        {
            Touch("a1", "web", "page_view", 0, ("cookie", "ck-a")),
            Touch("a2", "web", "page_view", 1, ("cookie", "ck-a")),
            Touch("b1", "store", "purchase", 2, ("loyalty_id", "L-B")),
            Touch("c1", "web", "page_view", 3, ("cookie", "ck-c")),
            Touch("c2", "web", "login", 4, ("cookie", "ck-c"), ("email", "c@example.com")),
            Touch("c3", "store", "purchase", 5, ("loyalty_id", "L-C"), ("email", "c@example.com")),
        });

        var stats = await StatsAsync();
        Assert.Equal((3, 2, 2, 2, 1, 6), Figures(stats));
        Assert.Equal((0.5, 0.6667), Rates(stats));
        Assert.Equal((2, 4), Channel(stats, "web"));
        Assert.Equal((2, 2), Channel(stats, "store"));

        // The anonymous web visitor logs in with the loyalty card of the store buyer: one customer, seen both ways.
        await _api.IngestAsync(Touch("ab", "web", "login", 6, ("cookie", "ck-a"), ("loyalty_id", "L-B")));

        stats = await StatsAsync();
        Assert.Equal((2, 2, 2, 2, 2, 7), Figures(stats));
        Assert.Equal((1.0, 1.0), Rates(stats));
        Assert.Equal((2, 5), Channel(stats, "web"));

        var c = (string)(await _api.LookupAsync("email", "c@example.com"))["profileId"]!;
        using (var erased = await node.CreateClient().DeleteAsync($"/v1/profiles/{c}")) Assert.Equal(HttpStatusCode.NoContent, erased.StatusCode);

        stats = await StatsAsync();
        Assert.Equal((1, 1, 1, 1, 1, 4), Figures(stats));
        Assert.Equal((1, 3), Channel(stats, "web"));
        Assert.Equal((1, 1), Channel(stats, "store"));

        // A resend changes nothing.
        await _api.IngestAsync(Touch("ab", "web", "login", 6, ("cookie", "ck-a"), ("loyalty_id", "L-B")));
        Assert.Equal((1, 1, 1, 1, 1, 4), Figures(await StatsAsync()));
    }

    [Fact]
    public async Task A_recount_of_counters_kept_exact_finds_nothing_to_correct()
    {
        await _api.IngestAsync(new[]
        {
            Touch("r1", "app", "page_view", 0, ("cookie", "ck-r")),
            Touch("r2", "call_center", "call", 1, ("cookie", "ck-r"), ("phone", "+33612345699")),
        });
        var before = await StatsAsync();

        using var response = await node.CreateClient().PostAsync("/v1/stats/recount", content: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var recount = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal((long)before["profiles"]!, (long)recount["standings"]!);
        Assert.Empty(recount["corrections"]!.AsArray());
        Assert.Equal(Figures(before), Figures(recount["stats"]!));
        Assert.Equal(Figures(before), Figures(await StatsAsync()));
    }

    private async Task<JsonNode> StatsAsync()
    {
        var (status, stats) = await _api.GetAsync("/v1/stats");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(DateTimeOffset.UtcNow - DateTimeOffset.Parse((string)stats!["asOf"]!) < TimeSpan.FromMinutes(1));
        return stats;
    }

    private static (long, long, long, long, long, long) Figures(JsonNode stats) =>
        ((long)stats["profiles"]!, (long)stats["identified"]!, (long)stats["online"]!, (long)stats["offline"]!, (long)stats["omnichannel"]!, (long)stats["touchpoints"]!);

    private static (double, double) Rates(JsonNode stats) => ((double)stats["reconciliationRate"]!, (double)stats["identificationRate"]!);

    private static (long, long) Channel(JsonNode stats, string channel) =>
        ((long)stats["channels"]![channel]!["profiles"]!, (long)stats["channels"]![channel]!["touchpoints"]!);

    private static JsonObject Touch(string id, string channel, string type, int minutes, params (string Type, string Value)[] identifiers) =>
        TouchpointJson.Make(id, channel, type, At.AddMinutes(minutes), identifiers);
}
