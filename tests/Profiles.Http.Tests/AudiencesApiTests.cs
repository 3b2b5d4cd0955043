using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Profiles.Grains.Standing;
using Profiles.Testing;

namespace Profiles.Http.Tests;

/// <summary>A node of its own whose clock a test can move forward, with a windowed audience and an SMS-marketing audience
/// (for marketing on sms) besides the shipped ones.</summary>
public sealed class ClockedNodeFixture : WebApplicationFactory<Program>
{
    public ShiftedClock Clock { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Profiles:SiloPort", FreePort.Next().ToString());
        builder.UseSetting("Profiles:GatewayPort", FreePort.Next().ToString());
        builder.UseSetting("Profiles:ComputedTraits:purchases_30d:kind", "count");
        builder.UseSetting("Profiles:ComputedTraits:purchases_30d:where:type", "purchase");
        builder.UseSetting("Profiles:ComputedTraits:purchases_30d:window", "30d");
        builder.UseSetting("Profiles:Audiences:recent_buyers", "purchases_30d > 0");
        builder.UseSetting("Profiles:Audiences:sms_marketing:Expression", "touchpoints > 0");
        builder.UseSetting("Profiles:Audiences:sms_marketing:Purpose", "marketing");
        builder.UseSetting("Profiles:Audiences:sms_marketing:Channel", "sms");
        builder.ConfigureServices(services => services.AddSingleton<TimeProvider>(Clock));
    }
}

/// <summary>The real time, moved forward by whatever a test adds: everything keeps running, only the date changes.</summary>
public sealed class ShiftedClock : TimeProvider
{
    public TimeSpan Shift { get; set; }

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Shift;
}

/// <summary>GET /v1/audiences and the members lists: exact through merges and erasure, and following the date.</summary>
public class AudiencesApiTests(ClockedNodeFixture node) : IClassFixture<ClockedNodeFixture>
{
    private readonly Api _api = new(node.CreateClient());
    private readonly string _run = Guid.NewGuid().ToString("n")[..8];

    [Fact]
    public async Task Members_are_listed_page_by_page_and_leave_when_merged_away_or_erased()
    {
        var before = await MembersAsync("recent_buyers");
        var buyers = Enumerable.Range(0, 5).Select(i => $"buyer{i}.{_run}@example.com").ToArray();
        await _api.IngestAsync(buyers.Select((email, i) => Touch($"{_run}-p{i}", "store", "purchase", ("email", email))).ToArray());
        await _api.IngestAsync(Touch($"{_run}-view", "web", "page_view", ("cookie", $"ck-{_run}")));
        var ids = new List<string>();
        foreach (var email in buyers) ids.Add((string)(await _api.LookupAsync("email", email))["profileId"]!);

        Assert.Equal(before.Concat(ids).Order(), (await MembersAsync("recent_buyers", limit: 2)).Order());
        Assert.Equal(before.Count + 5, await CountAsync("recent_buyers"));

        // Two buyers turn out to be one customer: the merged-away profile leaves the audience.
        await _api.IngestAsync(Touch($"{_run}-link", "web", "login", ("email", buyers[0]), ("email", buyers[1])));
        var survivor = (string)(await _api.LookupAsync("email", buyers[1]))["profileId"]!;
        Assert.Equal(before.Count + 4, await CountAsync("recent_buyers"));
        Assert.Contains(survivor, await MembersAsync("recent_buyers"));

        using (var erased = await node.CreateClient().DeleteAsync($"/v1/profiles/{survivor}")) Assert.Equal(HttpStatusCode.NoContent, erased.StatusCode);
        var after = await MembersAsync("recent_buyers");
        Assert.Equal(before.Count + 3, after.Count);
        Assert.DoesNotContain(survivor, after);
    }

    [Fact]
    public async Task A_profile_leaves_a_windowed_audience_when_the_window_moves_past_its_purchase()
    {
        var email = $"once.{_run}@example.com";
        await _api.IngestAsync(Touch($"{_run}-once", "store", "purchase", ("email", email)));
        var profileId = (string)(await _api.LookupAsync("email", email))["profileId"]!;
        Assert.Contains(profileId, await MembersAsync("recent_buyers"));
        var feed = await FeedCursorAsync();

        node.Clock.Shift += TimeSpan.FromDays(31);
        var refreshed = await node.Services.GetRequiredService<AudienceRecheck>().RecheckDueAsync();

        Assert.True(refreshed >= 1);
        Assert.DoesNotContain(profileId, await MembersAsync("recent_buyers"));
        Assert.DoesNotContain("recent_buyers", (await _api.LookupAsync("email", email))["audiences"]!.AsArray().Select(a => (string?)a));
        var (_, changes) = await _api.GetAsync($"/v1/changes?after={feed}&limit=1000");
        Assert.Contains(changes!["items"]!.AsArray(), c =>
            (string?)c!["type"] == "audience.exited" && (string?)c["profileId"] == profileId && (string?)c["audience"] == "recent_buyers");
        Assert.Equal(0, await node.Services.GetRequiredService<AudienceRecheck>().RecheckDueAsync());
    }

    [Fact]
    public async Task Every_configured_audience_is_listed_with_its_expression()
    {
        var (status, audiences) = await _api.GetAsync("/v1/audiences");

        Assert.Equal(HttpStatusCode.OK, status);
        var recent = Assert.Single(audiences!.AsArray(), a => (string?)a!["name"] == "recent_buyers")!;
        Assert.Equal("purchases_30d > 0", (string?)recent["expression"]);
        Assert.Null(recent["purpose"]);
        Assert.True(recent.AsObject().ContainsKey("channel"));
        var sms = Assert.Single(audiences.AsArray(), a => (string?)a!["name"] == "sms_marketing")!;
        Assert.Equal(("marketing", "sms"), ((string?)sms["purpose"], (string?)sms["channel"]));
        Assert.Contains(audiences.AsArray(), a => (string?)a!["name"] == "omnichannel");
    }

    [Theory]
    [InlineData("/v1/audiences/no_such_audience/members", HttpStatusCode.NotFound, "no_such_audience")]
    [InlineData("/v1/audiences/recent_buyers/members?limit=0", HttpStatusCode.BadRequest, "limit")]
    [InlineData("/v1/audiences/recent_buyers/members?cursor=%21%21", HttpStatusCode.BadRequest, "cursor")]
    public async Task Bad_requests_answer_a_problem_naming_what_is_wrong(string path, HttpStatusCode expected, string named)
    {
        var (status, problem) = await _api.GetAsync(path);

        Assert.Equal(expected, status);
        Assert.Contains(named, (string?)problem!["detail"]);
    }

    private async Task<long> CountAsync(string audience)
    {
        var (_, audiences) = await _api.GetAsync("/v1/audiences");
        return (long)audiences!.AsArray().Single(a => (string?)a!["name"] == audience)!["members"]!;
    }

    private async Task<List<string>> MembersAsync(string audience, int limit = 1000)
    {
        var members = new List<string>();
        string? cursor = null;
        do
        {
            var (status, page) = await _api.GetAsync($"/v1/audiences/{audience}/members?limit={limit}" + (cursor is null ? "" : $"&cursor={cursor}"));
            Assert.Equal(HttpStatusCode.OK, status);
            var items = page!["items"]!.AsArray().Select(i => (string)i!).ToList();
            Assert.True(items.Count <= limit);
            members.AddRange(items);
            cursor = (string?)page["nextCursor"];
        } while (cursor is not null);
        Assert.Equal(members.Count, members.Distinct().Count());
        return members;
    }

    private async Task<string> FeedCursorAsync()
    {
        string? cursor = null;
        while (true)
        {
            var (_, page) = await _api.GetAsync("/v1/changes?limit=1000" + (cursor is null ? "" : $"&after={cursor}"));
            cursor = (string)page!["nextCursor"]!;
            if (page["items"]!.AsArray().Count == 0) return cursor;
        }
    }

    private JsonObject Touch(string id, string channel, string type, params (string Type, string Value)[] identifiers) =>
        TouchpointJson.Make(id, channel, type, node.Clock.GetUtcNow().AddMinutes(-5), identifiers);
}
