using System.Text.Json.Nodes;
using Profiles.Testing;

namespace Profiles.Durability.Tests;

/// <summary>
/// The history tier's move survives a SIGKILL: journeys written while nothing was old enough to move are moved by two
/// nodes, one of them killed while PostgreSQL holds part of the items; the other finishes, and every journey reads
/// whole, once each item, with re-sends still duplicates.
/// </summary>
public class HistoryMoveKillTests
{
    private const int Customers = 120;
    private const int OldEach = 40;
    private const int RecentEach = 2;
    private readonly string _run = Guid.NewGuid().ToString("n")[..8];
    private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;

    [Fact]
    public async Task A_node_killed_during_a_move_loses_and_doubles_nothing()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var postgres = await PostgresServer.StartAsync();
        var sent = Enumerable.Range(0, Customers).Select(Journey).ToArray();
        string[] history = [$"--Profiles:History:Connection={postgres.ConnectionString}", "--Profiles:Retention:Interval=00:00:01"];
        // Written while nothing is old enough to move (a century hot), by two nodes started together on the empty
        // PostgreSQL, which both create its table.
        var writers = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => NodeProcess.StartAsync(redis.ConnectionString, _run, [.. history, "--Profiles:History:HotDays=36500"])));
        foreach (var batch in sent.SelectMany(journey => journey).Chunk(1000)) await writers[0].Api.IngestAsync(batch);
        foreach (var writer in writers)
        {
            await writer.StopAsync();
            await writer.DisposeAsync();
        }
        Assert.Equal(0, await RowsAsync(postgres));

        // A node moves one interval after it starts: long enough here for both to be ready and watched.
        string[] moving = [$"--Profiles:History:Connection={postgres.ConnectionString}", "--Profiles:Retention:Interval=00:00:05"];
        var nodes = await Task.WhenAll(NodeProcess.StartAsync(redis.ConnectionString, _run, moving), NodeProcess.StartAsync(redis.ConnectionString, _run, moving));
        await using var victim = nodes[0];
        await using var survivor = nodes[1];
        const int old = Customers * OldEach;
        int moved;
        var firstMove = DateTime.UtcNow.AddSeconds(30);
        while ((moved = await RowsAsync(postgres)) == 0)
        {
            Assert.True(DateTime.UtcNow < firstMove, "Nothing moved to PostgreSQL in 30 s.");
            await Task.Delay(20);
        }
        await victim.KillAsync();
        Assert.True(moved < old, $"Every item had moved ({moved}) before the kill.");

        // A journey whose items the victim had copied and not yet removed holds them in both tiers until the next move.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (((moved = await RowsAsync(postgres)) < old || await OrderMembersAsync(redis) > Customers * RecentEach) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
        }
        Assert.Equal(old, moved);
        Assert.Equal(Customers, int.Parse(await postgres.QueryAsync("SELECT count(DISTINCT profile) FROM profiles_journey_history")));
        // Until the cluster declares the victim dead (about 10 s), its profiles answer 503: reads are retried.
        var api = survivor.Api.RetryingUnavailable();
        foreach (var journey in sent)
        {
            var cookie = (string)journey[0]["identifiers"]![0]!["value"]!;
            var profile = await api.LookupAsync("cookie", cookie);
            Assert.Equal(OldEach + RecentEach, (int)profile["touchpoints"]!);
            Assert.Equal(JourneyOrder(journey), await api.JourneyIdsAsync((string)profile["profileId"]!, limit: 7));
        }
        var again = await survivor.Api.IngestAsync(sent[0]);
        Assert.All(again, result => Assert.Equal("duplicate", (string?)result!["status"]));
        Assert.Equal(old, await RowsAsync(postgres));
        Assert.Equal(Customers * RecentEach, await OrderMembersAsync(redis));
    }

    private static async Task<int> RowsAsync(PostgresServer postgres)
    {
        try
        {
            return int.Parse(await postgres.QueryAsync("SELECT count(*) FROM profiles_journey_history"));
        }
        catch (InvalidOperationException)
        {
            return 0; // not created yet
        }
    }

    private static async Task<int> OrderMembersAsync(RedisServer redis)
    {
        var total = 0;
        foreach (var key in await redis.KeysAsync("profiles:*:j:*:order")) total += int.Parse(await redis.CliAsync("zcard", key));
        return total;
    }

    private JsonObject[] Journey(int customer)
    {
        var cookie = ("cookie", $"ck-{customer}-{_run}");
        return
        [
            .. Enumerable.Range(0, OldEach).Select(n => Touch($"{customer}-old-{n}", _now.AddDays(-8 - n).AddMinutes(-customer), cookie)),
            .. Enumerable.Range(0, RecentEach).Select(n => Touch($"{customer}-new-{n}", _now.AddHours(-1 - n), cookie)),
        ];
    }

    /// <summary>Newest first, ties by id, descending.</summary>
    private static List<string> JourneyOrder(IEnumerable<JsonObject> touchpoints) =>
        [.. touchpoints.Select(t => ((string)t["id"]!, DateTimeOffset.Parse((string)t["occurredAt"]!)))
            .OrderByDescending(t => t.Item2.UtcTicks).ThenByDescending(t => t.Item1, StringComparer.Ordinal).Select(t => t.Item1)];

    private JsonObject Touch(string name, DateTimeOffset occurredAt, (string Type, string Value) identifier) =>
        TouchpointJson.Make($"{_run}-{name}", "web", "page_view", occurredAt, identifier);
}
