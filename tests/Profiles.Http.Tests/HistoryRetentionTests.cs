using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Profiles.Contracts;
using Profiles.Contracts.Http;
using Profiles.Grains.Abstractions;
using Profiles.Grains.History;
using Profiles.Grains.Journey;
using Profiles.Grains.Storage;
using Profiles.Testing;
using StackExchange.Redis;

namespace Profiles.Http.Tests;

/// <summary>A node with a history tier and both retention limits. Its rounds are an hour apart, so nothing moves or is
/// swept behind a test's back: each test moves a shard and sweeps it itself, in the order it needs.</summary>
public sealed class RetainingHistoryNodeFixture : HistoryNodeFixture
{
    public static readonly TimeSpan Touchpoints = TimeSpan.FromDays(30);

    public static readonly TimeSpan AnonymousProfiles = TimeSpan.FromDays(20);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Profiles:Retention:Interval", TimeSpan.FromHours(1).ToString("c"));
        builder.UseSetting("Profiles:Retention:Touchpoints", Touchpoints.ToString("c"));
        builder.UseSetting("Profiles:Retention:AnonymousProfiles", AnonymousProfiles.ToString("c"));
    }
}

/// <summary>
/// Retention reaches the history tier, on a real PostgreSQL: a moved item past the retention loses its content there
/// as an item in Redis does (its links kept in Redis, its figures in its anchor's removed content, its row deleted,
/// never folded twice), a month's partition emptied by retention is dropped, and an anonymous profile erased by
/// retention leaves no row.
/// </summary>
public class HistoryRetentionTests(RetainingHistoryNodeFixture node) : IClassFixture<RetainingHistoryNodeFixture>
{
    private readonly Api _api = new(node.CreateClient(), serverLog: null);
    private readonly string _run = Guid.NewGuid().ToString("n")[..8];
    private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;

    private HistoryMover Mover => node.Services.GetRequiredService<HistoryMover>();

    [Fact]
    public async Task Moved_items_past_the_retention_leave_PostgreSQL_with_their_links_kept_and_their_emptied_month_is_dropped()
    {
        // A month wholly past the retention, and one item still inside it but old enough to move.
        var month = new DateTimeOffset(_now.Year, _now.Month, 1, 10, 0, 0, TimeSpan.Zero).AddMonths(-3);
        var (email, cookie) = (("email", $"kept.{_run}@example.com"), ("cookie", $"ck-{_run}"));
        var purchase = TouchpointJson.Make($"{_run}-old-purchase", "store", "purchase", month.AddDays(2), email);
        purchase["properties"] = new JsonObject { ["note"] = $"S-{_run}" };
        var login = TouchpointJson.Make($"{_run}-old-login", "web", "login", month.AddDays(5), email, cookie);
        var middle = TouchpointJson.Make($"{_run}-middle", "web", "page_view", _now.AddDays(-20), cookie);
        var recent = TouchpointJson.Make($"{_run}-recent", "web", "page_view", _now.AddHours(-1), email);
        var profileId = (string)(await _api.IngestAsync(new[] { purchase, login, middle, recent }))[0]!["profileId"]!;
        Assert.Equal(3, await Mover.MoveShardAsync(Shards.Of(profileId)));
        Assert.Equal(3, await node.RowsOfAsync(profileId));

        await SweepAsync(profileId);

        Assert.Equal(1, await node.RowsOfAsync(profileId));
        Assert.DoesNotContain($"S-{_run}", await node.Postgres.DumpAsync());
        await using var redis = await ConnectionMultiplexer.ConnectAsync(node.Redis.ConnectionString);
        var kept = StoredTouchpoint.Decode((byte[])(await redis.GetDatabase().HashGetAsync(RedisLayout.JourneyTouchpoints(profileId), $"{_run}-old-login"))!);
        Assert.True(kept.ContentRemoved);
        // What retention keeps in Redis of a touchpoint with two identifiers: 148 B measured (docs/HISTORY.md).
        Assert.InRange(await redis.GetDatabase().HashStringLengthAsync(RedisLayout.JourneyTouchpoints(profileId), $"{_run}-old-login"), 100, 200);
        Assert.Equal((2, "", (string?)null), (kept.Identifiers.Count, kept.Channel, kept.PropertiesJson));
        Assert.Equal([$"{_run}-recent", $"{_run}-middle"], await _api.JourneyIdsAsync(profileId));
        var profile = await _api.LookupAsync(cookie.Item1, cookie.Item2);
        Assert.Equal((profileId, 4L, 1L), ((string)profile["profileId"]!, (long)profile["touchpoints"]!, (long)profile["channels"]!["store"]!["touchpoints"]!));
        Assert.Equal("duplicate", (string)(await _api.IngestAsync(purchase))[0]!["status"]!);
        var journeys = node.Services.GetRequiredService<IJourneyStore>();
        Assert.Equal(2, await RemovedTouchpointsAsync(journeys, profileId));
        var whole = await journeys.ReadWholeAsync(profileId);
        Assert.Equal(4, whole.Count);
        Assert.Equal(2, whole.Count(t => t.ContentRemoved));

        // A retention cut short after its Redis write: the rows are back, and the journey still due.
        await ReplayCutShortAsync(profileId, month);
        await SweepAsync(profileId);

        Assert.Equal(1, await node.RowsOfAsync(profileId));
        Assert.Equal(2, await RemovedTouchpointsAsync(journeys, profileId));
        Assert.Equal(4L, (long)(await _api.LookupAsync(cookie.Item1, cookie.Item2))["touchpoints"]!);

        var partition = PostgresHistory.PartitionOf(month.UtcDateTime);
        Assert.Contains(partition, await Mover.DropMonthsPastRetentionAsync());
        Assert.Equal("f", await node.Postgres.QueryAsync($"SELECT to_regclass('{partition}') IS NOT NULL"));
        Assert.Equal([$"{_run}-recent", $"{_run}-middle"], await _api.JourneyIdsAsync(profileId, limit: 1));
        Assert.Equal(4, (await journeys.ReadWholeAsync(profileId)).Count);
    }

    [Fact]
    public async Task An_anonymous_profile_erased_by_retention_leaves_no_row_in_PostgreSQL()
    {
        var cookie = ("cookie", $"anon-{_run}");
        var visits = new[]
        {
            TouchpointJson.Make($"{_run}-visit-1", "web", "page_view", _now - RetainingHistoryNodeFixture.AnonymousProfiles - TimeSpan.FromDays(5), cookie),
            TouchpointJson.Make($"{_run}-visit-2", "web", "page_view", _now - RetainingHistoryNodeFixture.AnonymousProfiles - TimeSpan.FromDays(2), cookie),
        };
        var profileId = (string)(await _api.IngestAsync(visits))[0]!["profileId"]!;
        Assert.Equal(2, await Mover.MoveShardAsync(Shards.Of(profileId)));

        await SweepAsync(profileId);

        Assert.Equal(0, await node.RowsOfAsync(profileId));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await _api.GetAsync(ApiPaths.Lookup(new IdentifierInput(cookie.Item1, cookie.Item2)))).Status);
        Assert.DoesNotContain($"{_run}-visit", await node.Postgres.DumpAsync());
        await using var redis = await ConnectionMultiplexer.ConnectAsync(node.Redis.ConnectionString);
        Assert.Equal(0, await redis.GetDatabase().SetLengthAsync(RedisLayout.HistoryErasures(Shards.Of(profileId))));
    }

    [Fact]
    public async Task A_node_that_knew_a_month_another_node_dropped_makes_it_again_for_an_item_sent_late()
    {
        // Far enough back that no other test of the class writes into it.
        var month = new DateTimeOffset(_now.Year, _now.Month, 1, 10, 0, 0, TimeSpan.Zero).AddMonths(-7);
        var profile = HistoryKey.Of($"p-{_run}");
        await using var otherNode = NpgsqlDataSource.Create(node.Postgres.ConnectionString);
        var other = new PostgresHistory(otherNode);
        await other.CopyAsync(profile, [Row("first", month)]);
        await other.DeleteAsync(profile);
        Assert.Contains(PostgresHistory.PartitionOf(month.UtcDateTime), await Mover.DropMonthsPastRetentionAsync());

        await other.CopyAsync(profile, [Row("late", month.AddDays(1))]);

        Assert.Equal("1", await node.Postgres.QueryAsync(
            $"SELECT count(*) FROM {PostgresHistory.PartitionOf(month.UtcDateTime)} WHERE profile = '\\x{Convert.ToHexStringLower(profile)}'"));
    }

    private HistoryRow Row(string name, DateTimeOffset at) =>
        new(at.UtcTicks, $"{_run}-{name}", HistoryBody.Of(StoredTouchpoint.Encode(TestTouchpoints.Make($"{_run}-{name}", at, "web", "page_view", [("cookie", _run)]))));

    /// <summary>Puts back the rows retention deleted and makes the journey due again, as a node killed between
    /// retention's Redis write and its PostgreSQL delete leaves them.</summary>
    private async Task ReplayCutShortAsync(string profileId, DateTimeOffset month)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(node.Redis.ConnectionString);
        var db = redis.GetDatabase();
        var rows = new List<HistoryRow>();
        foreach (var id in new[] { $"{_run}-old-purchase", $"{_run}-old-login" })
        {
            var stored = (byte[])(await db.HashGetAsync(RedisLayout.JourneyTouchpoints(profileId), id))!;
            var touchpoint = StoredTouchpoint.Decode(stored);
            // The row as the mover copied it: the item with its content, which Redis no longer has.
            var whole = touchpoint with { ContentRemoved = false, Channel = "store", Type = "purchase", PropertiesJson = $"{{\"note\":\"S-{_run}\"}}" };
            rows.Add(new HistoryRow(touchpoint.OccurredAt.UtcTicks, id, HistoryBody.Of(StoredTouchpoint.Encode(whole))));
        }
        await node.Services.GetRequiredService<PostgresHistory>().CopyAsync(HistoryKey.Of(profileId), rows);
        Assert.Equal(3, await node.RowsOfAsync(profileId));
        await db.SortedSetAddAsync(RedisLayout.RetentionDue(Shards.Of(profileId)), profileId, RedisLayout.Score(month));
    }

    private async Task SweepAsync(string profileId) =>
        await node.Services.GetRequiredService<IGrainFactory>().GetGrain<IRetentionSweep>(Shards.Of(profileId)).Sweep();

    private static async Task<long> RemovedTouchpointsAsync(IJourneyStore journeys, string profileId) =>
        (await journeys.RemovedContentAsync(profileId)).Sum(entry => entry.Content.Touchpoints);
}
