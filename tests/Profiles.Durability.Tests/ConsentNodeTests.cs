using System.Text.Json.Nodes;
using Profiles.Testing;

namespace Profiles.Durability.Tests;

/// <summary>Consent on real node processes: purposes read at start-up, and decisions that survive a kill (caught up
/// from the journey) and a restart (read back from Redis).</summary>
public class ConsentNodeTests
{
    private readonly string _run = Guid.NewGuid().ToString("n")[..8];

    [Theory]
    [InlineData("Profiles:Consent:Purposes:ads:Default", "--Profiles:Consent:Purposes:ads:Default=maybe")]
    [InlineData("Profiles:Consent:Purposes:Ads", "--Profiles:Consent:Purposes:Ads:Default=granted")]
    [InlineData("Profiles:Audiences:sms:Purpose", "--Profiles:Audiences:sms=touchpoints > 0", "--Profiles:Audiences:sms:Purpose=ads")]
    public async Task A_consent_mistake_stops_the_node_at_start_up_with_a_message_naming_the_key(string key, params string[] arguments)
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => NodeProcess.StartAsync(null, _run, arguments));

        Assert.Contains("exited", error.Message);
        Assert.Contains($"{key}: ", error.Message);
    }

    [Fact]
    public async Task Decisions_survive_a_kill_caught_up_from_the_journey_and_a_restart_read_from_redis()
    {
        await using var redis = await RedisServer.StartAsync();
        var email = $"kept.{_run}@example.com";
        string before;
        await using (var node = await NodeProcess.StartAsync(redis.ConnectionString, _run))
        {
            await node.Api.IngestAsync(new[]
            {
                Decided($"{_run}-1", email, -3, new JsonObject { ["purpose"] = "marketing", ["status"] = "granted", ["document"] = "privacy-2026-10" }),
                Decided($"{_run}-2", email, -2, new JsonObject { ["purpose"] = "marketing", ["channel"] = "sms", ["status"] = "denied" }),
                Decided($"{_run}-3", email, -1, new JsonObject { ["purpose"] = "personalisation", ["status"] = "denied" }),
            });
            before = await ConsentAsync(node, email);
            // Killed inside the snapshot interval: the activation after the restart folds the journey in again.
            await node.KillAsync();
        }

        await using (var restarted = await NodeProcess.StartAsync(redis.ConnectionString, _run))
        {
            Assert.Equal(before, await ConsentAsync(restarted, email));
            await restarted.StopAsync();
        }

        await using var again = await NodeProcess.StartAsync(redis.ConnectionString, _run);
        Assert.Equal(before, await ConsentAsync(again, email));
        Assert.Contains("\"sms\":\"denied\"", before);
        Assert.Contains("privacy-2026-10", before);
    }

    /// <summary>The profile's consent, its decision history and what /v1/stats counts for it.</summary>
    private static async Task<string> ConsentAsync(NodeProcess node, string email)
    {
        var profile = await node.Api.LookupAsync("email", email);
        var (_, history) = await node.Api.GetAsync($"/v1/profiles/{(string)profile["profileId"]!}/consent");
        var (_, stats) = await node.Api.GetAsync("/v1/stats");
        return $"{profile["consent"]!.ToJsonString()} {history!["decisions"]!.ToJsonString()} {stats!["consent"]!.ToJsonString()}";
    }

    private static JsonObject Decided(string id, string email, int days, JsonObject decision)
    {
        var touchpoint = TouchpointJson.Make(id, "web", "preferences", DateTimeOffset.UtcNow.AddDays(days), ("email", email));
        touchpoint["consent"] = new JsonArray(decision);
        return touchpoint;
    }
}
