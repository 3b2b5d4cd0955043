using System.Text.Json.Nodes;
using Profiles.Testing;

namespace Profiles.Durability.Tests;

/// <summary>The identity rules shipped in appsettings.json hold however the node is started: a systemd unit, a
/// script run from the repository root or a container with another WORKDIR starts it from a folder that is not
/// its own, and over-merge protection must not vanish there.</summary>
public sealed class ShippedDefaultsTests : IDisposable
{
    private readonly string _run = Guid.NewGuid().ToString("n")[..8];
    private readonly DirectoryInfo _elsewhere = Directory.CreateTempSubdirectory("profiles-cwd-");

    [Fact]
    public async Task A_node_started_from_another_folder_keeps_the_shipped_limits_and_blocked_values_and_logs_them()
    {
        await using var node = await NodeProcess.StartFromAsync(_elsewhere.FullName, null, _run);

        // crm_id limit 1: one e-mail typed for two CRM customers does not make them one.
        var shared = ("email", $"shared.{_run}@example.com");
        await node.Api.IngestAsync(Touch("crm-a", ("crm_id", $"CRM-A-{_run}"), shared));
        var second = Assert.Single(await node.Api.IngestAsync(Touch("crm-b", ("crm_id", $"CRM-B-{_run}"), shared)))!;
        Assert.Equal("accepted", (string?)second["status"]);
        Assert.Equal("limit", (string?)Assert.Single(Assert.IsType<JsonArray>(second["refusedLinks"]))!["reason"]);
        Assert.NotEqual(await ProfileOf(node, "crm_id", $"CRM-A-{_run}"), await ProfileOf(node, "crm_id", $"CRM-B-{_run}"));

        // test@test.com is blocked: the clerk's placeholder does not make two shoppers one.
        var placeholder = ("email", "test@test.com");
        var x = Assert.Single(await node.Api.IngestAsync(Touch("x", ("cookie", $"x-{_run}"), placeholder)))!;
        var y = Assert.Single(await node.Api.IngestAsync(Touch("y", ("cookie", $"y-{_run}"), placeholder)))!;
        Assert.Equal("blocked", (string?)Assert.Single(Assert.IsType<JsonArray>(y["ignored"]))!["reason"]);
        Assert.NotEqual((string?)x["profileId"], (string?)y["profileId"]);

        var rules = node.LogLines.SingleOrDefault(line => line.Contains("Identity rules in force:", StringComparison.Ordinal));
        Assert.True(rules is not null, $"No identity rules line in the log:\n{node.LogTail}");
        Assert.Contains("crm_id (priority 1, limit 1)", rules);
        Assert.Contains("cookie (priority 7, unlimited)", rules);
        Assert.Matches(@"Blocked values: [1-9][0-9]* ", rules);
    }

    public void Dispose() => _elsewhere.Delete(recursive: true);

    private static async Task<string?> ProfileOf(NodeProcess node, string type, string value) =>
        (string?)(await node.Api.LookupAsync(type, value))["profileId"];

    private JsonObject Touch(string name, params (string Type, string Value)[] identifiers) =>
        TouchpointJson.Make($"{_run}-{name}", "store", "purchase", null, identifiers);
}
