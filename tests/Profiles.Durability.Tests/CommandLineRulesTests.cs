using Profiles.Testing;
using System.Text.Json.Nodes;

namespace Profiles.Durability.Tests;

/// <summary>Identity rules come from any configuration source; here the command line of a real node.</summary>
public class CommandLineRulesTests
{
    [Fact]
    public async Task A_crm_id_limit_raised_on_the_command_line_lets_two_crm_ids_share_a_profile()
    {
        var run = Guid.NewGuid().ToString("n")[..8];
        await using var node = await NodeProcess.StartAsync(null, run, "--Profiles:IdentityRules:crm_id:Limit=2");

        await node.Api.IngestAsync(Touch($"{run}-1", ("crm_id", $"A-{run}"), ("device_id", $"ipad-{run}")));
        await node.Api.IngestAsync(Touch($"{run}-2", ("crm_id", $"B-{run}"), ("device_id", $"ipad-{run}")));
        await node.Api.IngestAsync(Touch($"{run}-3", ("crm_id", $"C-{run}"), ("device_id", $"ipad-{run}")));

        var a = await node.Api.LookupAsync("crm_id", $"A-{run}");
        Assert.Equal((string?)a["profileId"], (string?)(await node.Api.LookupAsync("crm_id", $"B-{run}"))["profileId"]);
        Assert.NotEqual((string?)a["profileId"], (string?)(await node.Api.LookupAsync("crm_id", $"C-{run}"))["profileId"]);
        Assert.Equal(2, a["identifiers"]!.AsArray().Count(i => (string?)i!["type"] == "crm_id"));
    }

    private static JsonObject Touch(string id, params (string Type, string Value)[] identifiers) =>
        TouchpointJson.Make(id, "store", "visit", null, identifiers);
}
