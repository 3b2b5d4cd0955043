using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Profiles.Grains.Standing;
using Profiles.Silo.Http;
using Profiles.Testing;

namespace Profiles.Http.Tests;

/// <summary>GET /v1/stats/history (docs/API.md, "Statistics") on a node of its own that samples every second.</summary>
public class StatsHistoryApiTests(StatsHistoryApiTests.EverySecondNode node) : IClassFixture<StatsHistoryApiTests.EverySecondNode>
{
    private readonly Api _api = new(node.CreateClient());

    public sealed class EverySecondNode : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("Profiles:SiloPort", FreePort.Next().ToString());
            builder.UseSetting("Profiles:GatewayPort", FreePort.Next().ToString());
            builder.UseSetting("Profiles:Stats:SampleInterval", "00:00:01");
        }
    }

    [Fact]
    public async Task Samples_taken_after_an_ingest_show_its_figures_as_stats_answered_them()
    {
        var run = Guid.NewGuid().ToString("n")[..8];
        await _api.IngestAsync(new[]
        {
            TouchpointJson.Make($"{run}-1", "web", "page_view", DateTimeOffset.UtcNow, ("cookie", $"ck-{run}")),
            TouchpointJson.Make($"{run}-2", "store", "purchase", DateTimeOffset.UtcNow, ("cookie", $"ck-{run}"), ("loyalty_id", $"L-{run}")),
        });
        var (_, stats) = await _api.GetAsync("/v1/stats");
        var ingested = DateTimeOffset.Parse((string)stats!["asOf"]!);

        var points = await PointsAsync("/v1/stats/history");
        for (var deadline = DateTime.UtcNow.AddSeconds(20); points.Count(p => At(p) > ingested) < 2; points = await PointsAsync("/v1/stats/history"))
        {
            Assert.True(DateTime.UtcNow < deadline, "No sample after the ingest in 20 s.");
            await Task.Delay(300);
        }

        Assert.Equal(points.Select(At).Distinct().Order(), points.Select(At));
        stats.AsObject().Remove("asOf");
        Assert.All(points.Where(p => At(p) > ingested), point =>
        {
            point.AsObject().Remove("asOf");
            Assert.True(JsonNode.DeepEquals(stats, point), $"{point} is not {stats}");
        });
    }

    [Fact]
    public async Task Without_from_and_to_the_history_covers_the_last_day_minute_by_minute()
    {
        var (status, history) = await _api.GetAsync("/v1/stats/history");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("minute", (string)history!["step"]!);
        var (from, to) = (DateTimeOffset.Parse((string)history["from"]!), DateTimeOffset.Parse((string)history["to"]!));
        Assert.Equal(TimeSpan.FromHours(24), to - from);
        Assert.True(DateTimeOffset.UtcNow - to < TimeSpan.FromMinutes(1));
    }

    [Theory]
    [InlineData("from=yesterday", "from:")]
    [InlineData("to=2026-13-01", "to:")]
    [InlineData("from=2026-11-20T18:00:00 01:00", "from:")]
    [InlineData("from=2026-11-21T00:00:00Z&to=2026-11-20T00:00:00Z", "from: is after to")]
    [InlineData("from=2026-10-01T00:00:00Z&to=2026-11-20T00:00:00Z", "from: is more than 30 days before to")]
    [InlineData("step=day", "step: must be minute or hour")]
    public async Task A_bad_query_answers_400_naming_the_parameter(string query, string detail)
    {
        var (status, problem) = await _api.GetAsync($"/v1/stats/history?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith(detail, (string)problem!["detail"]!);
    }

    [Fact]
    public async Task Thirty_days_with_an_offset_is_a_range_the_history_answers()
    {
        var (status, history) = await _api.GetAsync("/v1/stats/history?from=2026-10-21T00:00:00%2B01:00&to=2026-11-20T00:00:00%2B01:00&step=hour");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("hour", (string)history!["step"]!);
        Assert.Equal(new DateTimeOffset(2026, 10, 20, 23, 0, 0, TimeSpan.Zero), DateTimeOffset.Parse((string)history["from"]!));
    }

    [Fact]
    public void Hour_answers_the_last_sample_of_each_hour()
    {
        var start = new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.Zero);
        var samples = Enumerable.Range(0, 150).Select(minute => new StatsSample(start.AddMinutes(minute), Totals(minute))).ToList();

        var hours = HistoryStep.Hour.Pick(samples);

        Assert.Equal(new[] { start.AddMinutes(59), start.AddMinutes(119), start.AddMinutes(149) }, hours.Select(s => s.At));
        Assert.Equal(new long[] { 59, 119, 149 }, hours.Select(s => s.Totals.Profiles));
        Assert.Same(samples, HistoryStep.Minute.Pick(samples));
    }

    private static StandingTotals Totals(long profiles) => new(profiles, 0, 0, 0, 0, 0, new Dictionary<string, ChannelTotals>());

    private async Task<List<JsonNode>> PointsAsync(string path)
    {
        var (status, history) = await _api.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, status);
        return [.. history!["points"]!.AsArray().Select(p => p!)];
    }

    private static DateTimeOffset At(JsonNode point) => DateTimeOffset.Parse((string)point["asOf"]!);
}
