using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Concurrency;
using Profiles.Grains.Abstractions;
using Profiles.Grains.Calls;
using Profiles.Grains.Changes;
using Profiles.Testing;

namespace Profiles.Http.Tests;

/// <summary>What a client sees of a profile that a resolution keeps holding (one whose node hangs): the request waits
/// one call budget, then answers 503 saying why, and the same request succeeds once the profile is released.</summary>
[Collection(NodeCollection.Name)]
public class HeldProfileTests(NodeFixture node)
{
    private readonly Api _api = new(node.CreateClient());
    private readonly string _run = Guid.NewGuid().ToString("n")[..8];

    [Fact]
    public async Task An_unlink_of_a_profile_held_past_the_call_budget_answers_503_and_goes_through_once_it_is_released()
    {
        var (ann, bob, cookie) = ($"ann.{_run}@example.com", $"bob.{_run}@example.com", $"ck-{_run}");
        var at = new DateTimeOffset(2026, 5, 4, 9, 0, 0, TimeSpan.Zero);
        await _api.IngestAsync(new[]
        {
            TouchpointJson.Make($"{_run}-1", "web", "login", at, ("cookie", cookie), ("email", ann)),
            TouchpointJson.Make($"{_run}-2", "web", "login", at.AddHours(1), ("cookie", cookie), ("email", bob)),
        });
        var profileId = (string)(await _api.LookupAsync("email", ann))["profileId"]!;
        var profile = node.Services.GetRequiredService<IGrainFactory>().GetGrain<IProfileResolutionTarget>(profileId);
        var hangingResolution = $"{DateTimeOffset.UtcNow.UtcTicks:x16}-{_run}";
        Assert.True((await profile.Freeze(hangingResolution)).IsDone);

        var waited = Stopwatch.StartNew();
        var (status, problem) = await UnlinkAsync(profileId, ann, bob);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.InRange(waited.Elapsed, CallBudget.Length, CallBudget.Length + TimeSpan.FromSeconds(10));
        Assert.Equal("Still changing", (string)problem!["title"]!);
        Assert.Contains($"Profile {profileId} stayed held by a resolution", (string)problem["detail"]!);

        await profile.ReleaseResolution(hangingResolution, Array.Empty<ProfileChange>().AsImmutable());
        var (after, split) = await UnlinkAsync(profileId, ann, bob);

        Assert.Equal(HttpStatusCode.OK, after);
        Assert.Equal(2, split!.AsArray().Count);
    }

    private async Task<(HttpStatusCode, JsonNode?)> UnlinkAsync(string profileId, string emailA, string emailB)
    {
        using var response = await node.CreateClient().PostAsJsonAsync($"/v1/profiles/{profileId}/unlink",
            new { identifiers = new[] { new { type = "email", value = emailA }, new { type = "email", value = emailB } } });
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }
}
