using System.Collections.Concurrent;
using System.Text.Json;
using Profiles.Contracts;
using Profiles.Contracts.Http;

namespace Profiles.Bench.Scenarios;

/// <summary>Result of checking sampled customers against the ground truth.</summary>
public sealed class CheckResult
{
    public int Customers;
    public int Lookups;
    public int Mismatches;
    public ConcurrentQueue<string> Details { get; } = new();

    /// <summary>The customers (by index) with at least one mismatch.</summary>
    public ConcurrentDictionary<int, bool> WrongCustomers { get; } = new();

    /// <summary>The profile id the identifiers of each checked component (of the ground truth) answered with first.</summary>
    public ConcurrentDictionary<int, string> ProfileOfComponent { get; } = new();

    public void Fail(RetailCustomer customer, string text)
    {
        Interlocked.Increment(ref Mismatches);
        WrongCustomers.TryAdd(customer.Index, true);
        Details.Enqueue($"customer {customer.Index}: {text}");
    }
}

/// <summary>
/// For sampled customers, looks every identifier up (each in a messy spelling, the e-mail also by
/// <c>sha256</c>) and checks that identifiers of one expected component answer 200 with one profileId whose
/// <c>touchpoints</c> is the component's count, and that distinct components are distinct profiles.
/// </summary>
public static class CorrectnessCheck
{
    public static async Task<CheckResult> RunAsync(Nodes nodes, RetailPopulation pop, GroundTruth truth, int sample, int seed, CancellationToken ct)
    {
        var result = new CheckResult();
        var rng = new Random(seed ^ 0x5A5A5A);
        var picks = Enumerable.Range(0, pop.Customers.Count).OrderBy(_ => rng.Next()).Take(Math.Min(sample, pop.Customers.Count))
            .Select(i => pop.Customers[i]).ToArray();
        result.Customers = picks.Length;
        await Parallel.ForEachAsync(picks, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (c, token) =>
        {
            var r = new Random(c.Index);
            var ids = new List<IdentifierInput>
            {
                new("email", MessySpelling.Email(r, c.Email)),
                TestIdentifiers.Hashed("email", c.Email),
            };
            if (c.UsesPhone) ids.Add(new("phone", MessySpelling.Phone(r, c.PhoneNational)));
            ids.AddRange(c.Cookies.Select(k => new IdentifierInput("cookie", " " + k)));
            if (c.LoyaltyId is not null) ids.Add(new("loyalty_id", c.LoyaltyId));
            if (c.CrmId is not null) ids.Add(new("crm_id", c.CrmId + " "));
            if (c.DeviceId is not null) ids.Add(new("device_id", c.DeviceId));
            if (c.AppUserId is not null) ids.Add(new("app_user_id", c.AppUserId));

            var byComponent = new Dictionary<int, string>();
            foreach (var id in ids)
            {
                var component = truth.ComponentOf(id);
                var expected = truth.TouchpointsIn(component);
                Interlocked.Increment(ref result.Lookups);
                ApiResult<Profile> answer;
                try
                {
                    answer = await nodes.Next().LookupAsync(id, token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
                {
                    result.Fail(c, $"lookup {Describe(id)} failed: {e.Message}");
                    continue;
                }
                if (!answer.Succeeded)
                {
                    result.Fail(c, $"lookup {Describe(id)} answered {ProfileReport.Refusal(answer)}, expected 200 (profile of {expected} touchpoints)");
                    continue;
                }
                var profile = answer.Value;
                if (profile.Touchpoints != expected)
                    result.Fail(c, $"{Describe(id)} -> profile {profile.ProfileId} has touchpoints={profile.Touchpoints}, expected {expected}");
                if (byComponent.TryGetValue(component, out var seen))
                {
                    if (seen != profile.ProfileId)
                        result.Fail(c, $"{Describe(id)} -> profile {profile.ProfileId}, but other identifiers of the same customer -> {seen} (not merged)");
                }
                else
                {
                    if (byComponent.ContainsValue(profile.ProfileId))
                        result.Fail(c, $"{Describe(id)} -> profile {profile.ProfileId} shared by an unconnected component (over-merge)");
                    byComponent[component] = profile.ProfileId;
                    result.ProfileOfComponent.TryAdd(component, profile.ProfileId);
                }
            }
        }).ConfigureAwait(false);
        return result;
    }

    /// <summary>Type and a masked value, so a report never shows a full identifier.</summary>
    public static string Describe(IdentifierInput id) => id.Sha256 is not null
        ? $"{id.Type}(sha256 {id.Sha256[..8]}…)"
        : $"{id.Type}('{Mask(id.Value!)}')";

    private static string Mask(string v)
    {
        var t = v.Trim();
        return t.Length <= 4 ? "***" : t[..2] + "***" + t[^2..];
    }
}
