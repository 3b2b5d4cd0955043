using System.Net;
using System.Text.Json.Nodes;
using Profiles.Testing;

namespace Profiles.Http.Tests;

/// <summary>Identity rules (docs/API.md, "Identity rules in short") through the HTTP API, with the rules shipped in appsettings.json: one CRM id per
/// profile, up to three phones, placeholder values blocked.</summary>
[Collection(NodeCollection.Name)]
public class IdentityRulesApiTests(NodeFixture node)
{
    private readonly Api _api = new(node.CreateClient());
    private readonly string _run = Guid.NewGuid().ToString("n")[..8];

    [Fact]
    public async Task A_shop_ipad_used_by_two_crm_customers_leaves_two_profiles_with_the_refused_link_on_both()
    {
        var ipad = $"ipad-{_run}";
        await _api.IngestAsync(Touch("first", 0, ("crm_id", $"CRM-A-{_run}"), ("device_id", ipad)));

        var second = Assert.Single(await _api.IngestAsync(Touch("second", 1, ("crm_id", $"CRM-B-{_run}"), ("device_id", ipad))))!;

        Assert.Equal("accepted", (string?)second["status"]);
        var refusedInResult = Assert.Single(second["refusedLinks"]!.AsArray())!;
        Assert.Equal(("device_id", "limit"), ((string)refusedInResult["type"]!, (string)refusedInResult["reason"]!));
        var a = await _api.LookupAsync("crm_id", $"CRM-A-{_run}");
        var b = await _api.LookupAsync("crm_id", $"CRM-B-{_run}");
        Assert.NotEqual((string?)a["profileId"], (string?)b["profileId"]);
        Assert.Equal((string?)a["profileId"], (string?)(await _api.LookupAsync("device_id", ipad))["profileId"]);
        Assert.Equal(["crm_id"], b["identifiers"]!.AsArray().Select(i => (string)i!["type"]!));
        Assert.Equal(1, (int)b["touchpoints"]!);
        var onA = Assert.Single(a["refusedLinks"]!.AsArray())!;
        Assert.Equal(("crm_id", "limit", $"{_run}-second"), ((string)onA["type"]!, (string)onA["reason"]!, (string)onA["touchpointId"]!));
        Assert.DoesNotContain($"CRM-B-{_run}", onA.ToJsonString());
        var onB = Assert.Single(b["refusedLinks"]!.AsArray())!;
        Assert.Equal(("device_id", $"{_run}-second"), ((string)onB["type"]!, (string)onB["touchpointId"]!));
    }

    [Fact]
    public async Task A_family_phone_links_within_the_limits_and_a_fourth_phone_is_refused()
    {
        var family = RandomMobile();
        await _api.IngestAsync(Touch("mum", 0, ("email", $"mum.{_run}@example.com"), ("phone", family)));
        await _api.IngestAsync(Touch("dad", 1, ("email", $"dad.{_run}@example.com"), ("phone", family)));
        var household = await _api.LookupAsync("email", $"mum.{_run}@example.com");
        Assert.Equal((string?)household["profileId"], (string?)(await _api.LookupAsync("email", $"dad.{_run}@example.com"))["profileId"]);

        foreach (var name in new[] { "p2", "p3", "p4" })
        {
            Assert.Equal("accepted", (string?)(await _api.IngestAsync(Touch(name, 2, ("email", $"mum.{_run}@example.com"), ("phone", RandomMobile()))))[0]!["status"]);
        }

        var profile = await _api.LookupAsync("email", $"mum.{_run}@example.com");
        Assert.Equal(3, profile["identifiers"]!.AsArray().Count(i => (string?)i!["type"] == "phone"));
        Assert.Equal(5, (int)profile["touchpoints"]!);
        Assert.Equal("phone", (string?)Assert.Single(profile["refusedLinks"]!.AsArray())!["type"]);
    }

    [Fact]
    public async Task Blocked_values_never_link_and_are_noted_in_the_result()
    {
        var results = await _api.IngestAsync(new[]
        {
            Touch("x", 0, ("email", "TEST@test.com"), ("cookie", $"x-{_run}")),
            Touch("y", 1, ("email", "test@test.com"), ("cookie", $"y-{_run}")),
            Touch("z", 2, ("phone", "0000000000"), ("loyalty_id", "unknown")),
        });

        Assert.Equal("identifiers[0].value", (string?)results[0]!["ignored"]![0]!["field"]);
        Assert.Equal("blocked", (string?)results[0]!["ignored"]![0]!["reason"]);
        Assert.Equal("is a blocked placeholder value", (string?)results[0]!["ignored"]![0]!["detail"]);
        Assert.NotEqual((string?)results[0]!["profileId"], (string?)results[1]!["profileId"]);
        Assert.Equal("rejected", (string?)results[2]!["status"]);
        Assert.StartsWith("identifiers: every identifier is a blocked placeholder value", (string?)results[2]!["error"]);
        var (status, _) = await _api.GetAsync("/v1/profiles/lookup?type=email&value=test@test.com");
        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    [Fact]
    public async Task Writers_racing_to_link_profiles_past_a_limit_never_produce_a_profile_that_breaks_it()
    {
        // Twenty CRM customers, all on the same shop tablet and two shared cookies, sent at once from 20 writers.
        var customers = Enumerable.Range(0, 20).Select(c => $"CRM-{c}-{_run}").ToArray();
        var batches = customers.Select((crm, c) => new[]
        {
            Touch($"r{c}a", c, ("crm_id", crm), ("device_id", $"tablet-{_run}")),
            Touch($"r{c}b", c, ("cookie", $"shared-1-{_run}"), ("crm_id", crm), ("cookie", $"shared-2-{_run}")),
        });

        await Task.WhenAll(batches.Select(batch => _api.IngestAsync(batch)));

        var profiles = new Dictionary<string, JsonNode>();
        foreach (var crm in customers)
        {
            var profile = await _api.LookupAsync("crm_id", crm);
            profiles[(string)profile["profileId"]!] = profile;
            Assert.Single(profile["identifiers"]!.AsArray(), i => (string?)i!["type"] == "crm_id");
        }
        Assert.Equal(20, profiles.Count);
        Assert.Equal(40, profiles.Values.Sum(p => (int)p["touchpoints"]!));
        Assert.Single(profiles.Values, p => p["identifiers"]!.AsArray().Any(i => (string?)i!["type"] == "device_id"));
    }

    private static string RandomMobile() => $"06 12 {Random.Shared.Next(10, 99)} {Random.Shared.Next(10, 99)} {Random.Shared.Next(10, 99)}";

    private JsonObject Touch(string name, int minutes, params (string Type, string Value)[] identifiers) =>
        TouchpointJson.Make($"{_run}-{name}", "store", "visit", new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.FromHours(1)).AddMinutes(minutes), identifiers);
}
