using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Profiles.Testing;

namespace Profiles.Durability.Tests;

/// <summary>
/// A merge is recorded in the survivor's snapshot. When Redis refuses that write, the merge is not done: the request
/// answers 503, and the survivor forgets what it had taken in memory. The client's retry makes the merge again and it
/// is stored before it is answered, so a node killed right after loses nothing of it. (A survivor that kept the merge
/// in memory answered the retry "already taken" without storing anything: the merged profile's touchpoints were lost
/// with the node.)
/// </summary>
public class MergeSnapshotFailureTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
    private readonly string _run = Guid.NewGuid().ToString("n")[..8];

    [Fact]
    public async Task A_merge_whose_survivor_could_not_store_it_is_made_again_on_retry_and_survives_a_SIGKILL()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var first = await NodeProcess.StartAsync(redis.ConnectionString, _run);
        var (home, away) = (("cookie", $"home-{_run}"), ("cookie", $"away-{_run}"));
        // Profile ids are time-ordered and merges go to the smaller id: the profile made first survives.
        var survivor = await first.Api.LandAsync(Touch("home", 0, home));
        await first.Api.LandAsync(Touch("away", 1, away));

        // Redis refuses the survivor's next snapshot write: its key (Orleans' grain state, not written yet: a snapshot
        // follows the journey within 30 s) holds a string where a hash is expected.
        var snapshot = $"profiles/state/profile/{survivor}/profile";
        Assert.Equal("0", await redis.CliAsync("exists", snapshot));
        await redis.CliAsync("set", snapshot, "not a snapshot");
        var link = JsonSerializer.Serialize(new[] { Touch("link", 2, home, away) });
        var (status, problem) = await first.Api.PostAsync(link);
        Assert.True(status == HttpStatusCode.ServiceUnavailable, $"The link answered {(int)status}: {problem}");

        await redis.CliAsync("del", snapshot);
        var retried = (await first.Api.IngestAsync(new[] { Touch("link", 2, home, away) }))[0]!;
        Assert.Equal(("accepted", survivor), ((string?)retried["status"], (string?)retried["profileId"]));
        await first.KillAsync();

        await using var second = await NodeProcess.StartAsync(redis.ConnectionString, _run);
        // Until the cluster declares the killed node dead, a call to a grain it held answers 503: asked again.
        var api = second.Api.RetryingUnavailable();
        foreach (var (type, value) in new[] { home, away })
        {
            var profile = await api.LookupAsync(type, value);
            Assert.Equal((survivor, 3), ((string?)profile["profileId"], (int)profile["touchpoints"]!));
        }
        Assert.Equal([$"{_run}-link", $"{_run}-away", $"{_run}-home"], await api.JourneyIdsAsync(survivor));
    }

    private JsonObject Touch(string name, int minutes, params (string Type, string Value)[] identifiers) =>
        TouchpointJson.Make($"{_run}-{name}", "web", "page_view", At.AddMinutes(minutes), identifiers);
}
