using System.Collections.Concurrent;
using Profiles.Contracts;

namespace Profiles.Bench.Scenarios;

/// <summary>
/// Shared shop tablets (canonical resolution under concurrent writers): C customers, each with a CRM row (<c>crm_id</c> + e-mail), a web login (<c>cookie</c> +
/// e-mail) and <c>--tablet-logins</c> logins on a shop tablet (<c>device_id</c> + e-mail) that 5 customers share, sent
/// in a seeded random order by <c>--writers</c> with the node's shipped identity rules. Wherever two customers' tablet
/// logins arrive before their CRM rows, the tablet first joins them and the CRM rows then refuse the join: the
/// component is resolved again under the other writers. Reported: the ingest rate, the splits and merges the feed
/// shows, and a check of every customer: their e-mail's profile holds their own e-mail only, exactly one crm_id
/// (their own: the crm_id and the cookie lead to the same profile) and their 2 + L touchpoints; each tablet is on one
/// of its customers' profiles.
/// </summary>
public static class TabletsScenario
{
    private const string Phase = "tablets";

    public const int CustomersPerTablet = 5;

    public static async Task RunAsync(BenchContext ctx, CancellationToken ct)
    {
        var o = ctx.Options;
        var customers = o.Customers;
        var logins = o.TabletLogins;
        var rng = new Random(o.Seed * 17 + 18);
        var seating = Enumerable.Range(0, customers).ToArray();
        rng.Shuffle(seating);
        var tabletOf = new int[customers];
        for (var i = 0; i < customers; i++) tabletOf[seating[i]] = i / CustomersPerTablet;
        var tablets = (customers + CustomersPerTablet - 1) / CustomersPerTablet;

        var prefix = $"bench-{o.Seed}-tab-";
        IdentifierInput Email(int c) => new("email", $"tab.{o.Seed}.{c}@bench-tablets.example");
        IdentifierInput Crm(int c) => new("crm_id", $"TCRM-{o.Seed}-{c}");
        IdentifierInput Cookie(int c) => new("cookie", $"tck-{o.Seed}-{c}");
        IdentifierInput Tablet(int t) => new("device_id", $"TAB-{o.Seed}-{t}");
        DateTimeOffset At() => ctx.Anchor - TimeSpan.FromSeconds(rng.NextDouble() * 90 * 86400);
        var items = new List<TouchpointSpec>(customers * (2 + logins));
        for (var c = 0; c < customers; c++)
        {
            items.Add(new TouchpointSpec { Id = $"{prefix}crm-{c}", OccurredAt = At(), Channel = "crm", Type = "import", Identifiers = [Crm(c), Email(c)] });
            items.Add(new TouchpointSpec { Id = $"{prefix}web-{c}", OccurredAt = At(), Channel = "web", Type = "login", Identifiers = [Cookie(c), Email(c)] });
            for (var l = 0; l < logins; l++)
                items.Add(new TouchpointSpec { Id = $"{prefix}tablet-{c}-{l}", OccurredAt = At(), Channel = "store", Type = "login", Identifiers = [Tablet(tabletOf[c]), Email(c)] });
        }
        var order = items.ToArray();
        new Random(o.Seed * 37 + 18).Shuffle(order);
        var total = order.Length;
        ctx.Report.Add(Phase, "population", customers, "customers",
            note: $"{total:N0} touchpoints: per customer a CRM row, a web login and {logins} tablet login(s); {tablets:N0} tablets shared by {CustomersPerTablet} customers each");

        var cursor = await ChangeFeedCounter.TailAsync(ctx.Reads, ct).ConfigureAwait(false);
        var meter = ctx.Meter();
        var stats = await Ui.WithProgress($"{Phase}: {total:N0} touchpoints, {o.Writers} writers", total,
            p => Replayer.ReplayAsync(ctx.Writes, order, 0, total, o.BatchSizes[0], o.Writers, p, ct)).ConfigureAwait(false);
        var usage = meter.Stop();
        ctx.AddIngest(Phase, "(shared tablets)", stats);
        if (stats.Accepted + stats.Duplicate != total)
        {
            ctx.Report.Problem($"{Phase}: {stats.Accepted + stats.Duplicate:N0} touchpoints accepted or duplicate of {total:N0} sent");
            ctx.Failed = true;
        }
        var changes = await ChangeFeedCounter.CountSinceAsync(ctx.Reads, cursor, ct).ConfigureAwait(false);
        ctx.Report.Add(Phase, "splits in the change feed", changes?.GetValueOrDefault("split"), "",
            note: changes is null
                ? $"n/a: the feed is longer than {ChangeFeedCounter.MaxPages} pages of {ChangeFeedCounter.PageSize} (run the scenario alone)"
                : $"each a component resolved again into more profiles; merged changes: {changes.GetValueOrDefault("merged"):N0}, touchpoint changes: {changes.GetValueOrDefault("touchpoint"):N0}");
        await ctx.AddUsageAsync(Phase, usage, total, ct).ConfigureAwait(false);

        Ui.Info($"[{Phase}] checking all {customers:N0} customers and {tablets:N0} tablets");
        var wrong = new ConcurrentDictionary<int, string>();
        var profileOf = new string?[customers];
        var lookups = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, customers), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (c, token) =>
        {
            Interlocked.Add(ref lookups, 3);
            var byEmail = await ctx.Reads.Next().LookupAsync(Email(c), token).ConfigureAwait(false);
            if (!byEmail.Succeeded)
            {
                wrong.TryAdd(c, $"customer {c}: e-mail lookup answered {ProfileReport.Refusal(byEmail)}");
                return;
            }
            var p = byEmail.Value;
            profileOf[c] = p.ProfileId;
            if (p.IdentifiersOf("email") != 1 || p.IdentifiersOf("crm_id") != 1)
                wrong.TryAdd(c, $"customer {c}: the e-mail's profile {ProfileReport.Describe(p)}: expected exactly 1 email and 1 crm_id");
            else if (p.Touchpoints != 2 + logins)
                wrong.TryAdd(c, $"customer {c}: the e-mail's profile {ProfileReport.Describe(p)}: expected {2 + logins} touchpoints");
            var byCrm = await ctx.Reads.Next().LookupAsync(Crm(c), token).ConfigureAwait(false);
            if (!byCrm.Succeeded || byCrm.Value.ProfileId != p.ProfileId)
                wrong.TryAdd(c, $"customer {c}: crm_id lookup {ProfileReport.Describe(byCrm)}, the e-mail's profile is {p.ProfileId}");
            var byCookie = await ctx.Reads.Next().LookupAsync(Cookie(c), token).ConfigureAwait(false);
            if (!byCookie.Succeeded || byCookie.Value.ProfileId != p.ProfileId)
                wrong.TryAdd(c, $"customer {c}: cookie lookup {ProfileReport.Describe(byCookie)}, the e-mail's profile is {p.ProfileId}");
        }).ConfigureAwait(false);
        foreach (var group in Enumerable.Range(0, customers).Where(c => profileOf[c] is not null).GroupBy(c => profileOf[c]!).Where(g => g.Count() > 1))
            foreach (var c in group) wrong.TryAdd(c, $"customer {c}: profile {group.Key} is shared by customers {string.Join(", ", group.Take(6))}");

        var members = new List<int>[tablets];
        for (var t = 0; t < tablets; t++) members[t] = [];
        for (var c = 0; c < customers; c++) members[tabletOf[c]].Add(c);
        var strayTablets = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, tablets), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (t, token) =>
        {
            Interlocked.Increment(ref lookups);
            var byTablet = await ctx.Reads.Next().LookupAsync(Tablet(t), token).ConfigureAwait(false);
            if (!byTablet.Succeeded || !members[t].Any(c => profileOf[c] == byTablet.Value.ProfileId) || byTablet.Value.IdentifiersOf("device_id") != 1)
                strayTablets.Add($"tablet {t}: lookup {ProfileReport.Describe(byTablet)}; its customers' profiles are {string.Join(", ", members[t].Select(c => profileOf[c] ?? "none"))}");
        }).ConfigureAwait(false);

        ctx.Report.Add(Phase, "customers on a wrong profile", wrong.Count, "", target: "0", met: wrong.IsEmpty,
            note: $"of {customers:N0}: each e-mail's profile holds that e-mail only, exactly one crm_id and {2 + logins} touchpoints; crm_id and cookie lead to it; {lookups:N0} lookups in all");
        ctx.Report.Add(Phase, "tablets not on one of their customers", strayTablets.Count, "", target: "0", met: strayTablets.IsEmpty,
            note: $"of {tablets:N0}");
        foreach (var d in wrong.OrderBy(w => w.Key).Take(20)) ctx.Report.Problem($"{Phase}: {d.Value}");
        foreach (var d in strayTablets.Take(10)) ctx.Report.Problem($"{Phase}: {d}");
        if (!wrong.IsEmpty || !strayTablets.IsEmpty) ctx.Failed = true;
    }
}
