using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Profiles.Testing;

namespace Profiles.Http.Tests;

/// <summary>Retention settings as a node reads them, and what a client sees of a touchpoint already older than the
/// retention when it is sent.</summary>
public class RetentionApiTests
{
    private readonly string _run = Guid.NewGuid().ToString("n")[..8];

    [Theory]
    [InlineData("Profiles:Retention:Touchpoints", "00:00:00")]
    [InlineData("Profiles:Retention:Touchpoints", "-730.00:00:00")]
    [InlineData("Profiles:Retention:Touchpoints", "two years")]
    [InlineData("Profiles:Retention:AnonymousProfiles", "-1.00:00:00")]
    [InlineData("Profiles:Retention:AnonymousProfiles", "soon")]
    public void A_retention_that_is_not_a_positive_duration_stops_the_node_naming_its_key(string key, string value)
    {
        using var node = new NodeFixture().WithWebHostBuilder(builder => builder.UseSetting(key, value));

        var error = Assert.ThrowsAny<Exception>(() => node.CreateClient());

        Assert.Contains(key, Messages(error));
    }

    [Fact]
    public async Task A_touchpoint_older_than_the_retention_when_sent_is_accepted_links_and_counts_and_is_in_no_journey()
    {
        await using var node = new NodeFixture().WithWebHostBuilder(builder => builder.UseSetting("Profiles:Retention:Touchpoints", "30.00:00:00"));
        var api = new Api(node.CreateClient());
        var now = DateTimeOffset.UtcNow;
        var (email, loyalty) = (("email", $"old.{_run}@example.com"), ("loyalty_id", $"OLD-{_run}"));
        var recent = TouchpointJson.Make($"{_run}-recent", "web", "page_view", now.AddDays(-1), email);
        var old = TouchpointJson.Make($"{_run}-old", "store", "purchase", now.AddDays(-90), email, loyalty);

        var results = await api.IngestAsync(new[] { recent, old });

        Assert.All(results, result => Assert.Equal("accepted", (string)result!["status"]!));
        var profile = await api.LookupAsync(loyalty.Item1, loyalty.Item2);
        Assert.Equal(2, (int)profile["touchpoints"]!);
        Assert.Equal(1, (int)profile["channels"]!["store"]!["touchpoints"]!);
        Assert.Equal([$"{_run}-recent"], await api.JourneyIdsAsync((string)profile["profileId"]!));
        Assert.Equal("duplicate", (string)(await api.IngestAsync(old))[0]!["status"]!);
    }

    private static string Messages(Exception error) =>
        string.Join(" | ", Enumerable.Repeat(error, 1).Concat(error is AggregateException all ? all.InnerExceptions : [])
            .SelectMany(e => Chain(e)).Select(e => e.Message));

    private static IEnumerable<Exception> Chain(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException) yield return e;
    }
}
