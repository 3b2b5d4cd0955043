using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Profiles.Contracts;
using Profiles.Contracts.Http;
using Profiles.Testing;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Profiles.Durability.Tests;

/// <summary>Canonical resolution (docs/ARCHITECTURE.md, "Canonical resolution") on real node processes on Redis
/// with the shipped identity rules: the same customers whatever the order and the concurrency, splits when an older
/// touchpoint arrives late, operator unlink and relink, and a node killed mid-split.</summary>
public class CanonicalResolutionNodeTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Start = new(2026, 10, 1, 9, 0, 0, TimeSpan.Zero);

    // The nodes hash identifiers with the tests' key, so a test can name the keys a profile answer shows.
    private static readonly string[] TestHashKey = [$"--Profiles:HashKey={TestIdentifiers.HashKeyText}"];

    private readonly string _run = Guid.NewGuid().ToString("n")[..8];

    [Fact]
    public async Task Shared_tablets_sent_in_three_random_orders_give_every_customer_their_own_email()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var first = await NodeProcess.StartAsync(redis.ConnectionString, _run, TestHashKey);
        await using var second = await NodeProcess.StartAsync(redis.ConnectionString, _run, TestHashKey);
        var partitions = new List<string>();

        foreach (var seed in new[] { 1, 2, 3 })
        {
            // Each order on customers of its own (their values carry the seed), so the orders do not meet in Redis;
            // 16 writers over two nodes, most of them on the hot tablet's component at once.
            var population = new SharedTablets($"{_run}s{seed}", customers: 40, tablets: 8, customersPerTablet: 5, hotTabletCustomers: 8);
            var random = new Random(seed);
            var statuses = await Cluster.ReplayAsync([first, second], [.. population.Touchpoints.OrderBy(_ => random.Next())], writers: 16, batch: 5);
            Assert.All(statuses.Values, s => Assert.Contains(s, new[] { "accepted", "duplicate" }));

            // A writer that found the component busy left its resolution to the profiles, which finish within seconds.
            var deadline = DateTime.UtcNow.AddSeconds(60);
            string? wrong;
            List<string> partition;
            do
            {
                (wrong, partition) = await ReadPartitionAsync(population, first, second);
                if (wrong is null) break;
                await Task.Delay(500);
            } while (DateTime.UtcNow < deadline);
            Assert.True(wrong is null, $"Order {seed}: {wrong}");
            partitions.Add(string.Join('\n', partition));
        }

        Assert.Equal(partitions[0], partitions[1]);
        Assert.Equal(partitions[0], partitions[2]);
    }

    [Fact]
    public async Task An_older_touchpoint_arriving_late_moves_an_email_to_the_card_it_was_first_seen_with()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var node = await NodeProcess.StartAsync(redis.ConnectionString, _run, TestHashKey);
        var (email, card1, card2) = ($"late.{_run}@example.com", $"L1-{_run}", $"L2-{_run}");

        await node.Api.IngestAsync(new[]
        {
            TouchpointJson.Make($"{_run}-b", "store", "purchase", Start.AddDays(5), ("loyalty_id", card1), ("email", email)),
            TouchpointJson.Make($"{_run}-c", "store", "purchase", Start.AddDays(6), ("loyalty_id", card2), ("email", email)),
        });
        var before = await node.Api.LookupAsync("loyalty_id", card1);
        Assert.Contains(TestIdentifiers.KeyOf("email", email), KeysOf(before, "email"));

        // The same e-mail with the second card, days before either: by the rules of arrival order it links first.
        await node.Api.IngestAsync(new[] { TouchpointJson.Make($"{_run}-a", "web", "login", Start.AddDays(1), ("loyalty_id", card2), ("email", email)) });

        var card1Now = await node.Api.LookupAsync("loyalty_id", card1);
        var emailNow = await node.Api.LookupAsync("email", email);
        Assert.Equal((string)before["profileId"]!, (string)card1Now["profileId"]!);
        Assert.Empty(KeysOf(card1Now, "email"));
        Assert.Equal([TestIdentifiers.KeyOf("loyalty_id", card2)], KeysOf(emailNow, "loyalty_id"));
        Assert.Equal([$"{_run}-b"], await node.Api.JourneyIdsAsync((string)card1Now["profileId"]!));
        Assert.Equal([$"{_run}-c", $"{_run}-a"], await node.Api.JourneyIdsAsync((string)emailNow["profileId"]!));
        Assert.Equal(1, (int)card1Now["touchpoints"]!);
        Assert.Equal(2, (int)emailNow["touchpoints"]!);
    }

    [Fact]
    public async Task Unlink_splits_at_once_a_later_touchpoint_cannot_link_the_two_again_and_relink_joins_them()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var node = await NodeProcess.StartAsync(redis.ConnectionString, _run, TestHashKey);
        var (ann, bob, cookie) = ($"ann.{_run}@example.com", $"bob.{_run}@example.com", $"ck-{_run}");
        await node.Api.IngestAsync(new[]
        {
            TouchpointJson.Make($"{_run}-1", "web", "login", Start, ("cookie", cookie), ("email", ann)),
            TouchpointJson.Make($"{_run}-2", "web", "login", Start.AddHours(1), ("cookie", cookie), ("email", bob)),
        });
        var together = await node.Api.LookupAsync("email", ann);
        var profileId = (string)together["profileId"]!;
        Assert.Equal(profileId, (string)(await node.Api.LookupAsync("email", bob))["profileId"]!);
        var (_, feedBefore) = await node.Api.GetAsync("/v1/changes?limit=500");

        var (status, split) = await CorrectAsync(node, profileId, "unlink", ann, bob);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, split!.AsArray().Count);
        var annNow = await node.Api.LookupAsync("email", ann);
        var bobNow = await node.Api.LookupAsync("email", bob);
        Assert.NotEqual((string)annNow["profileId"]!, (string)bobNow["profileId"]!);
        Assert.Equal(2, (int)annNow["touchpoints"]! + (int)bobNow["touchpoints"]!);
        Assert.Contains(profileId, new[] { (string)annNow["profileId"]!, (string)bobNow["profileId"]! });
        var splitChange = await ChangeAfterAsync(node, feedBefore!, "split");
        Assert.Equal(profileId, (string)splitChange["profileId"]!);
        Assert.Single(splitChange["splitProfileIds"]!.AsArray());

        // A touchpoint naming both again links nothing between them while the unlink stands.
        await node.Api.IngestAsync(new[] { TouchpointJson.Make($"{_run}-3", "email", "click", Start.AddDays(2), ("email", ann), ("email", bob)) });
        Assert.NotEqual((string)(await node.Api.LookupAsync("email", ann))["profileId"]!, (string)(await node.Api.LookupAsync("email", bob))["profileId"]!);

        var (relinked, joined) = await CorrectAsync(node, (string)annNow["profileId"]!, "relink", ann, bob);

        Assert.Equal(HttpStatusCode.OK, relinked);
        Assert.Single(joined!.AsArray());
        var annAgain = await node.Api.LookupAsync("email", ann);
        Assert.Equal((string)annAgain["profileId"]!, (string)(await node.Api.LookupAsync("email", bob))["profileId"]!);
        Assert.Equal(3, (int)annAgain["touchpoints"]!);
        // Operator entries are in the journey, so they hold in any order, but count in no figure.
        Assert.Equal(5, (await node.Api.JourneyIdsAsync((string)annAgain["profileId"]!)).Count);
    }

    [Fact]
    public async Task Unlink_answers_problems_naming_the_field_and_changes_nothing()
    {
        await using var node = await NodeProcess.StartAsync(null, _run, TestHashKey);
        var (ann, bob) = ($"ann.{_run}@example.com", $"bob.{_run}@example.com");
        await node.Api.IngestAsync(new[] { TouchpointJson.Make($"{_run}-1", "web", "login", Start, ("email", ann), ("email", bob)) });
        var profileId = (string)(await node.Api.LookupAsync("email", ann))["profileId"]!;

        var (unknownProfile, _) = await CorrectAsync(node, "0000000000000000000000000000dead", "unlink", ann, bob);
        var (oneOnly, oneBody) = await PostAsync(node, $"/v1/profiles/{profileId}/unlink", new { identifiers = new[] { new { type = "email", value = ann } } });
        var (badPhone, phoneBody) = await PostAsync(node, $"/v1/profiles/{profileId}/unlink",
            new { identifiers = new[] { new { type = "email", value = ann }, new { type = "phone", value = "not a phone" } } });
        var (stranger, strangerBody) = await CorrectAsync(node, profileId, "unlink", ann, $"nobody.{_run}@example.com");

        Assert.Equal(HttpStatusCode.NotFound, unknownProfile);
        Assert.Equal(HttpStatusCode.BadRequest, oneOnly);
        Assert.Contains("identifiers", (string)oneBody!["detail"]!);
        Assert.Equal(HttpStatusCode.BadRequest, badPhone);
        Assert.Contains("identifiers[1]", (string)phoneBody!["detail"]!);
        Assert.Equal(HttpStatusCode.BadRequest, stranger);
        Assert.Contains("identifiers[1]", (string)strangerBody!["detail"]!);
        Assert.Equal(profileId, (string)(await node.Api.LookupAsync("email", bob))["profileId"]!);
    }

    [Fact]
    public async Task A_node_killed_in_the_middle_of_a_split_leaves_nothing_lost_or_doubled_and_the_split_finishes()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var survivor = await NodeProcess.StartAsync(redis.ConnectionString, _run, TestHashKey);
        var (ann, bob) = ($"ann.{_run}@example.com", $"bob.{_run}@example.com");
        const int perCustomer = 1_500;
        var specs = Enumerable.Range(0, 2 * perCustomer).Select(n => new TouchpointSpec
        {
            Id = $"{_run}-{n}",
            OccurredAt = Start.AddMinutes(n),
            Channel = "web",
            Type = "page_view",
            // The two share a cookie once, so they start on one profile.
            Identifiers = n == 0 ? [new("email", ann), new("email", bob)] : [new("email", n % 2 == 0 ? ann : bob)],
        }).ToList();
        var statuses = await Cluster.ReplayAsync([survivor], specs, writers: 8, batch: 100);
        Assert.All(statuses.Values, s => Assert.Equal("accepted", s));
        var profileId = (string)(await survivor.Api.LookupAsync("email", ann))["profileId"]!;

        var killed = false;
        await using (var victim = await NodeProcess.StartAsync(redis.ConnectionString, _run, TestHashKey))
        {
            // Watched over one connection, scanning without pause: a resolution of 3,000 touchpoints is over in a few
            // hundred milliseconds, less than a redis-cli process per look took to notice it.
            await using var watch = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
            var server = watch.GetServer(watch.GetEndPoints()[0]);
            var unlink = CorrectAsync(victim, profileId, "unlink", ann, bob);
            // Killed as soon as the resolution recorded that it started: it holds the profile, and journeys are being rewritten.
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!unlink.IsCompleted && DateTime.UtcNow < deadline)
            {
                if (await server.KeysAsync(pattern: "*resolution*", pageSize: 5_000).AnyAsync())
                {
                    await victim.KillAsync();
                    killed = true;
                    break;
                }
            }
            try
            {
                await unlink;
            }
            catch (HttpRequestException)
            {
            }
            output.WriteLine(killed ? "The node was killed after the resolution recorded its start." : "The unlink finished before the kill.");
        }
        Assert.True(killed, "The resolution finished before the node could be killed mid-way.");

        // The survivor finishes the split when the profile is called again, on its node or on activation, whichever step
        // the kill cut short. Until the cluster has declared the killed node dead, a call to a grain that lived there
        // answers 503: a client retries.
        var deadlineAfter = DateTime.UtcNow.AddSeconds(90);
        JsonNode? annNow = null, bobNow = null;
        do
        {
            await Task.Delay(500);
            var (annStatus, annBody) = await survivor.Api.GetAsync(ApiPaths.Lookup(new IdentifierInput("email", ann)));
            var (bobStatus, bobBody) = await survivor.Api.GetAsync(ApiPaths.Lookup(new IdentifierInput("email", bob)));
            if (annStatus != HttpStatusCode.OK || bobStatus != HttpStatusCode.OK)
            {
                Assert.True(annStatus == HttpStatusCode.ServiceUnavailable || bobStatus == HttpStatusCode.ServiceUnavailable, $"lookups answered {annStatus} and {bobStatus}");
                continue;
            }
            (annNow, bobNow) = (annBody!, bobBody!);
        } while ((annNow is null || (string)annNow["profileId"]! == (string)bobNow!["profileId"]!) && DateTime.UtcNow < deadlineAfter);

        Assert.NotNull(annNow);
        if ((string)annNow["profileId"]! == (string)bobNow!["profileId"]!) output.WriteLine($"The survivor's log:\n{survivor.LogTail}");

        Assert.NotEqual((string)annNow["profileId"]!, (string)bobNow!["profileId"]!);
        var annJourney = (await survivor.Api.JourneyIdsAsync((string)annNow["profileId"]!, limit: 500)).Where(id => !id.StartsWith("op-", StringComparison.Ordinal)).ToList();
        var bobJourney = (await survivor.Api.JourneyIdsAsync((string)bobNow["profileId"]!, limit: 500)).Where(id => !id.StartsWith("op-", StringComparison.Ordinal)).ToList();
        Assert.Equal(specs.Select(s => s.Id).Order(), annJourney.Concat(bobJourney).Order());
        Assert.Equal(2 * perCustomer, (int)annNow["touchpoints"]! + (int)bobNow["touchpoints"]!);
        // The writes of touchpoints go on after the split.
        var after = await survivor.Api.IngestAsync(new[] { TouchpointJson.Make($"{_run}-after", "web", "login", Start.AddDays(9), ("email", bob)) });
        Assert.Equal("accepted", (string)after[0]!["status"]!);
    }

    /// <summary>Each customer's profile and each tablet's, as the two nodes answer them; the first customer whose profile
    /// does not hold exactly their own e-mail and one CRM id, or null.</summary>
    private static async Task<(string? Wrong, List<string> Partition)> ReadPartitionAsync(SharedTablets population, NodeProcess first, NodeProcess second)
    {
        var partition = new List<string>();
        string? wrong = null;
        for (var c = 0; c < population.Customers; c++)
        {
            var profile = await first.Api.LookupAsync(population.Email(c));
            var emails = KeysOf(profile, "email");
            var crm = KeysOf(profile, "crm_id");
            var crmAnswer = KeysOf(await second.Api.LookupAsync(population.Crm(c)), "crm_id");
            if (!emails.SequenceEqual([TestIdentifiers.KeyOf("email", population.Email(c).Value!)]) || crm.Count != 1 || !crm.SequenceEqual(crmAnswer))
            {
                wrong ??= $"customer {c}'s profile holds {emails.Count} e-mails and {crm.Count} CRM ids: {profile.ToJsonString()}";
            }
            partition.Add($"customer {c}: " + population.Describe(profile));
        }
        for (var t = 0; t <= population.Tablets; t++)
        {
            partition.Add($"tablet {t}: " + population.Describe(await second.Api.LookupAsync(population.Tablet(t))));
        }
        return (wrong, partition);
    }

    private static List<string> KeysOf(JsonNode profile, string type) =>
        [.. profile["identifiers"]!.AsArray().Where(i => (string)i!["type"]! == type).Select(i => (string)i!["key"]!).Order(StringComparer.Ordinal)];

    private static Task<(HttpStatusCode, JsonNode?)> CorrectAsync(NodeProcess node, string profileId, string kind, string emailA, string emailB) =>
        PostAsync(node, $"/v1/profiles/{profileId}/{kind}", new { identifiers = new[] { new { type = "email", value = emailA }, new { type = "email", value = emailB } } });

    private static async Task<(HttpStatusCode, JsonNode?)> PostAsync(NodeProcess node, string path, object body)
    {
        using var response = await node.Http.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    /// <summary>The first change of <paramref name="type"/> after the page <paramref name="before"/> ended.</summary>
    private static async Task<JsonNode> ChangeAfterAsync(NodeProcess node, JsonNode before, string type)
    {
        var (_, page) = await node.Api.GetAsync($"/v1/changes?limit=500&after={(string)before["nextCursor"]!}");
        return page!["items"]!.AsArray().First(c => (string)c!["type"]! == type)!;
    }

    /// <summary>Customers with a CRM row, a web login on a cookie of their own and logins on shared shop tablets;
    /// tablet 0 is the hot one, logged into by many customers, so 16 writers meet on one component.</summary>
    private sealed class SharedTablets
    {
        private readonly string _run;

        public SharedTablets(string run, int customers, int tablets, int customersPerTablet, int hotTabletCustomers)
        {
            _run = run;
            (Customers, Tablets) = (customers, tablets);
            var random = new Random(42);
            DateTimeOffset At() => Start.AddMinutes(random.Next(20_000));
            for (var c = 0; c < customers; c++)
            {
                Touchpoints.Add(Spec($"crm-{c}", At(), "crm", Crm(c), Email(c)));
                Touchpoints.Add(Spec($"web-{c}", At(), "web", new("cookie", $"ck-{_run}-{c}"), Email(c)));
            }
            for (var t = 1; t <= tablets; t++)
            {
                for (var k = 0; k < customersPerTablet; k++) Touchpoints.Add(Spec($"tablet-{t}-{k}", At(), "store", Tablet(t), Email((t * customersPerTablet + k) % customers)));
            }
            for (var k = 0; k < hotTabletCustomers; k++) Touchpoints.Add(Spec($"tablet-0-{k}", At(), "store", Tablet(0), Email(k * 3 % customers)));
        }

        public int Customers { get; }

        public int Tablets { get; }

        public List<TouchpointSpec> Touchpoints { get; } = [];

        public IdentifierInput Email(int customer) => new("email", $"customer{customer}.{_run}@example.com");

        public IdentifierInput Crm(int customer) => new("crm_id", $"CRM-{_run}-{customer}");

        public IdentifierInput Tablet(int tablet) => new("device_id", $"TAB-{_run}-{tablet}");

        /// <summary>A profile as the identifiers it holds, named without this order's values, so orders compare.</summary>
        public string Describe(JsonNode profile)
        {
            var names = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var c = 0; c < Customers; c++)
            {
                names[TestIdentifiers.KeyOf("email", Email(c).Value!)] = $"email{c}";
                names[TestIdentifiers.KeyOf("crm_id", Crm(c).Value!)] = $"crm{c}";
                names[TestIdentifiers.KeyOf("cookie", $"ck-{_run}-{c}")] = $"cookie{c}";
            }
            for (var t = 0; t <= Tablets; t++) names[TestIdentifiers.KeyOf("device_id", Tablet(t).Value!)] = $"tablet{t}";
            return string.Join(',', profile["identifiers"]!.AsArray().Select(i => names[(string)i!["key"]!]).Order(StringComparer.Ordinal))
                + $" touchpoints {(int)profile["touchpoints"]!}";
        }

        private TouchpointSpec Spec(string id, DateTimeOffset at, string channel, params IdentifierInput[] identifiers) =>
            new() { Id = $"{_run}-{id}", OccurredAt = at, Channel = channel, Type = "login", Identifiers = identifiers };
    }
}
