using Microsoft.Extensions.DependencyInjection;
using Profiles.Core.Consent;
using Profiles.Core.Personalisation;
using Profiles.Core.Touchpoints;
using Profiles.Grains.Changes;
using Profiles.Grains.Standing;
using Profiles.Testing;

namespace Profiles.Cluster.Tests;

/// <summary>Two silos whose customers may be in an SMS-marketing audience (for marketing on sms) and a newsletter
/// audience (an expression on <c>consent.marketing</c>).</summary>
public sealed class ConsentClusterFixture : IAsyncLifetime
{
    public static readonly Personalisation Personalisation = new(ComputedTraits.None, new Audiences(
    [
        new AudienceDefinition(ConsentClusterTests.SmsMarketing, "touchpoints > 0", "marketing", "sms"),
        new AudienceDefinition(ConsentClusterTests.Newsletter, "identified && consent.marketing"),
    ], ComputedTraits.None, ConsentPurposes.Shipped), ConsentPurposes.Shipped);

    public TwoSiloCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await TwoSiloCluster.StartAsync(configure: services => services.AddSingleton(Personalisation));

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>
/// A customer who says STOP by SMS is out of every SMS-marketing audience and announced in the feed at once, whichever
/// identifier carried it, whichever node took it and whatever the order the touchpoints arrived in; the consent counts
/// stay exact through the merges on the way.
/// </summary>
public sealed class ConsentClusterTests(ConsentClusterFixture fixture) : IClassFixture<ConsentClusterFixture>
{
    public const string SmsMarketing = "sms_marketing";
    public const string Newsletter = "newsletter";

    private static readonly DateTimeOffset Start = new(2026, 11, 20, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(5);

    private readonly TwoSiloCluster _cluster = fixture.Cluster;
    private readonly string _run = Guid.NewGuid().ToString("n")[..8];

    // A French mobile number of this run's own: another run's customer must not share it.
    private readonly string _phone = $"+33612{Random.Shared.Next(100_000, 1_000_000)}";

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public async Task An_sms_stop_after_the_grants_takes_the_customer_out_at_once_whichever_node_takes_it(int seed)
    {
        var random = new Random(seed);
        var (grants, stop) = Customer();
        var countsBefore = await MarketingCountsAsync();
        foreach (var touchpoint in grants.OrderBy(_ => random.Next())) await _cluster.Ingestor(random.Next(2)).IngestAsync([touchpoint]);
        var customer = await SurvivorAsync();
        Assert.True(await IsMemberAsync(SmsMarketing, customer, random.Next(2)));
        var cursor = await FeedEndAsync();

        var node = random.Next(2);
        await _cluster.Ingestor(node).IngestAsync([stop]);

        // Within seconds of the answer, whichever node is asked: out of the audience, and the feed says why.
        var watcher = 1 - node;
        await Eventually(async () => !await IsMemberAsync(SmsMarketing, customer, watcher));
        await Eventually(async () =>
        {
            var changes = await ChangesAfterAsync(cursor, watcher);
            return changes.Any(c => c.Type == ChangeTypes.Consent && c.ProfileId == customer && Detail(c, "purpose") == "marketing"
                                   && Detail(c, "channel") == "sms" && Detail(c, "status") == ConsentStatus.Denied)
                && changes.Any(c => c.Type == ChangeTypes.AudienceExited && c.ProfileId == customer && Detail(c, "audience") == SmsMarketing);
        });
        var profile = await _cluster.LookupAsync("email", Email);
        Assert.DoesNotContain(SmsMarketing, profile.Personalised.Audiences);
        Assert.Contains(Newsletter, profile.Personalised.Audiences);
        Assert.True(await IsMemberAsync(Newsletter, customer, watcher));
        Assert.Equal(countsBefore with { Decided = countsBefore.Decided + 1, Granted = countsBefore.Granted + 1 }, await MarketingCountsAsync());
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    [InlineData(14)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(18)]
    public async Task In_any_arrival_order_the_customer_ends_out_of_sms_marketing_and_the_feed_agrees(int seed)
    {
        var random = new Random(seed);
        var (grants, stop) = Customer();
        var countsBefore = await MarketingCountsAsync();
        var cursor = await FeedEndAsync();

        // Two writers at once, each on its own node, the touchpoints shuffled between them.
        var shuffled = grants.Append(stop).OrderBy(_ => random.Next()).ToList();
        var halves = shuffled.Chunk((shuffled.Count + 1) / 2).ToList();
        await Task.WhenAll(halves.Select((half, i) => Task.Run(async () =>
        {
            foreach (var touchpoint in half) await _cluster.Ingestor(i).IngestAsync([touchpoint]);
        })));

        var customer = await SurvivorAsync();
        var profile = await _cluster.LookupAsync("email", Email);
        var marketing = profile.Personalised.Consent.Single(c => c.Purpose == "marketing");
        Assert.False(marketing.GrantedOn("sms"));
        Assert.True(marketing.Granted);
        Assert.DoesNotContain(SmsMarketing, profile.Personalised.Audiences);
        await Eventually(async () => !await IsMemberAsync(SmsMarketing, customer, random.Next(2)));
        // What a messaging tool following the feed knows of the customer: the last status announced for sms (none
        // announced is the default, denied), and whether it last entered or left the audience.
        var changes = (await ChangesAfterAsync(cursor, random.Next(2))).Where(c => c.ProfileId == customer).ToList();
        var smsStatus = changes.LastOrDefault(c => c.Type == ChangeTypes.Consent && Detail(c, "purpose") == "marketing" && Detail(c, "channel") == "sms");
        Assert.NotEqual(ConsentStatus.Granted, smsStatus is null ? null : Detail(smsStatus, "status"));
        var smsAudience = changes.LastOrDefault(c => c.Type is ChangeTypes.AudienceEntered or ChangeTypes.AudienceExited && Detail(c, "audience") == SmsMarketing);
        Assert.NotEqual(ChangeTypes.AudienceEntered, smsAudience?.Type);
        var countsAfter = countsBefore with { Decided = countsBefore.Decided + 1, Granted = countsBefore.Granted + 1 };
        await Eventually(async () => await MarketingCountsAsync() == countsAfter);
    }

    private string Email => $"paul.{_run}@example.com";

    /// <summary>A web sign-up granting marketing on every channel, a till purchase that links the phone to it, an SMS
    /// opt-in on the phone; then, later than all of them, STOP by SMS on the phone alone.</summary>
    private (Touchpoint[] Grants, Touchpoint Stop) Customer()
    {
        var (cookie, phone, loyalty) = ($"ck-{_run}", _phone, $"L-{_run}");
        var signUp = TestTouchpoints.Make($"{_run}-signup", Start, "web", "signup", [("cookie", cookie), ("email", Email)]) with
        {
            Consent = [new ConsentDecision("marketing", null, true, "privacy-2026-10", null)],
        };
        var purchase = TestTouchpoints.Make($"{_run}-till", Start.AddMinutes(10), "store", "purchase", [("loyalty_id", loyalty), ("email", Email), ("phone", phone)]);
        var optIn = TestTouchpoints.Make($"{_run}-optin", Start.AddMinutes(20), "sms", "sms_reply", [("phone", phone)]) with
        {
            Consent = [new ConsentDecision("marketing", "sms", true, "sms-optin-v3", null)],
        };
        var stop = TestTouchpoints.Make($"{_run}-stop", Start.AddHours(1), "sms", "sms_reply", [("phone", phone)]) with
        {
            Consent = [new ConsentDecision("marketing", "sms", false, null, null)],
        };
        return ([signUp, purchase, optIn], stop);
    }

    private async Task<string> SurvivorAsync() => (await _cluster.LookupAsync("email", Email)).ProfileId;

    private async Task<ConsentTotals> MarketingCountsAsync() =>
        (await _cluster.TotalsAsync()).Consent.GetValueOrDefault("marketing") ?? new ConsentTotals(0, 0);

    private async Task<bool> IsMemberAsync(string audience, string profileId, int silo)
    {
        var standings = _cluster.Standings(silo);
        string? cursor = null;
        do
        {
            var page = await standings.ReadAudienceAsync(audience, cursor, 500);
            if (page.Members.Contains(profileId)) return true;
            cursor = page.NextCursor;
        } while (cursor is not null);
        return false;
    }

    private async Task<FeedCursor> FeedEndAsync()
    {
        var cursor = FeedCursor.Start;
        while (true)
        {
            var page = await _cluster.Feed(0).ReadAsync(cursor, 1000);
            FeedCursor.TryParse(page.NextCursor, out cursor);
            if (page.Items.Count == 0) return cursor;
        }
    }

    private async Task<List<ProfileChange>> ChangesAfterAsync(FeedCursor cursor, int silo)
    {
        var changes = new List<ProfileChange>();
        while (true)
        {
            var page = await _cluster.Feed(silo).ReadAsync(cursor, 1000);
            changes.AddRange(page.Items.Select(i => i.Change));
            FeedCursor.TryParse(page.NextCursor, out cursor);
            if (page.Items.Count == 0) return changes;
        }
    }

    private static string? Detail(ProfileChange change, string name) =>
        change.Details.FirstOrDefault(d => d.Key == name).Value is { Length: > 0 } value ? value : null;

    private static async Task Eventually(Func<Task<bool>> holds)
    {
        var deadline = DateTime.UtcNow + Within;
        while (!await holds())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Not so within {Within.TotalSeconds} s.");
            await Task.Delay(50);
        }
    }
}
