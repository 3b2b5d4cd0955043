// 1. Compares CEL (Cel 0.3.3), NCalc (NCalcSync 7.4.0) and DynamicExpresso (2.19.6, as Profiles.Core uses it) on
//    what audience expressions must do (docs/PERSONALISATION.md): the same questions to each, then evaluation time.
// 2. What the shipped computed traits add to folding one touchpoint into a profile, and what evaluating them and
//    the shipped audiences costs a read: CPU time of one thread, so other processes on the machine weigh less.
// 3. What consent decisions add to the fold, to the storefront's read and to a snapshot, with touchpoints carrying
//    them as a cookie banner and an analytics library send them (docs/CONSENT.md).
using System.Diagnostics;
using System.Text.Json;
using Cel;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using NCalc;
using Profiles.Core.Consent;
using Profiles.Core.Identifiers;
using Profiles.Core.Personalisation;
using Profiles.Core.Profiles;
using Profiles.Core.Touchpoints;
using Profiles.Silo.Configuration;

string[] questions =
[
    "orders >= 2 && revenue > 100.5",          // numbers of two kinds
    "traits.city == \"Lyon\"",                 // traits.NAME, double-quoted string
    "traits.tier == \"gold\"",                 // absent trait: null, so false
    "traits.tier != \"gold\"",                 // a comparison with null is false, != too
    "!(revenue_365d > 1000)",                  // null inside a negation: the comparison is false, so true
    "order > 2",                               // unknown variable: a start-up error
    "orders >=",                               // does not parse
    "\"abc\".GetType() == null",               // .NET members
    "System.IO.File.Exists(\"/etc/passwd\")",  // IO
];
var variables = new Dictionary<string, object?>
{
    ["orders"] = 3L, ["revenue"] = 250.5, ["revenue_365d"] = null, ["online"] = 8L, ["offline"] = 4L, ["identified"] = true,
    ["traits"] = new Dictionary<string, object?> { ["city"] = "Lyon" },
};

Console.WriteLine("## Answers (the audience language's: true, true, false, false, true, error, error, error, error)\n");
Console.WriteLine("| expression | CEL | NCalc | DynamicExpresso (Profiles) |\n| --- | --- | --- | --- |");
foreach (var q in questions) Console.WriteLine($"| `{q}` | {Try(() => Cel(q)(variables))} | {Try(() => NCalc(q).Evaluate())} | {Try(() => Profiles(q)(Facts()))} |");

const string Audience = "orders >= 2 && revenue > 100.5 || online > 0 && offline > 0 && identified";
Console.WriteLine($"\n## Evaluation time of `{Audience}` (after warm-up, one thread)\n");
Console.WriteLine("| library | µs per evaluation | bytes allocated per evaluation |\n| --- | ---: | ---: |");
var cel = Cel(Audience);
Time("CEL", () => cel(variables));
var ncalc = NCalc(Audience);
Time("NCalc", () => ncalc.Evaluate());
var profiles = Profiles(Audience);
var facts = Facts();
Time("DynamicExpresso (Profiles)", () => profiles(facts));

var shipped = PersonalisationConfiguration.Read(new ConfigurationBuilder().AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json")).Build());
var customers = BenchLikeCustomers(2000);
Console.WriteLine($"\n## The shipped defaults ({shipped.Computed.Definitions.Count} computed traits, {shipped.Audiences.Definitions.Count} audiences), {customers.Sum(c => c.Length):N0} touchpoints of {customers.Length:N0} customers\n");
Console.WriteLine("| what | CPU µs per touchpoint or read |\n| --- | ---: |");
var plain = FoldCost("fold a touchpoint, no computed traits", customers, null);
var personalised = FoldCost("fold a touchpoint, shipped computed traits", customers, shipped.Computed);
Console.WriteLine($"| added by the computed traits | {personalised - plain:0.00} |");
var today = DateOnly.FromDateTime(DateTime.UtcNow);
var folded = customers.Select(c => { var p = new ProfileContent(); foreach (var t in c) p.Add(t, shipped.Computed); return p; }).ToArray();
// Warm-up: the first calls run unoptimised code, and the JIT's own threads count in the process's CPU time.
var now = DateTimeOffset.UtcNow;
for (var i = 0; i < folded.Length * 5; i++) shipped.Evaluate(folded[i % folded.Length], now);
CpuTime("evaluate computed traits and audiences for a read", folded.Length * 20, i => shipped.Evaluate(folded[i % folded.Length], now));
var sampleFacts = new AudienceFacts([.. shipped.Computed.Evaluate(folded[0].Computed, today).Select(v => AudienceValue.From(v.ToComparable()))], 10, 5, 5, true,
    new TraitBag(new Dictionary<string, object?>()), shipped.Consent.Evaluate(null, now));
CpuTime("  of which the audiences, facts given", folded.Length * 20, i => shipped.Audiences.MembershipOf(sampleFacts));
CpuTime("  of which the computed traits", folded.Length * 20, i => shipped.Computed.Evaluate(folded[i % folded.Length].Computed, today));

// A profile's snapshot is written at most every 5 s while it changes, which in the bench is about once per touchpoint.
var serializer = new ServiceCollection()
    .AddSerializer(builder => builder.AddAssembly(typeof(Profiles.Grains.Identity.ProfileState).Assembly))
    .BuildServiceProvider().GetRequiredService<Serializer>();
var plainStates = customers.Select(c => { var state = new Profiles.Grains.Identity.ProfileState(); foreach (var t in c) state.Content.Add(t); return state; }).ToArray();
var personalisedStates = folded.Select(content => new Profiles.Grains.Identity.ProfileState { Content = content }).ToArray();
foreach (var (label, states) in new[] { ("write a profile's snapshot, no computed traits", plainStates), ("write a profile's snapshot, shipped computed traits", personalisedStates) })
{
    for (var i = 0; i < states.Length * 5; i++) serializer.SerializeToArray(states[i % states.Length]);
    CpuTime(label, states.Length * 20, i => serializer.SerializeToArray(states[i % states.Length]));
}

// Consent as a site sends it: every web touchpoint repeats the cookie banner's answers (what analytics libraries do),
// logins grant marketing by e-mail, now and then a customer says STOP by SMS or lets an expiring grant run.
var consenting = customers.Select((customer, c) => customer.Select((touchpoint, n) => touchpoint with { Consent = ConsentOf(touchpoint, c, n) }).ToArray()).ToArray();
Console.WriteLine($"\n## Consent ({consenting.Sum(c => c.Sum(t => t.Consent.Count)):N0} decisions on {consenting.Sum(c => c.Length):N0} touchpoints, shipped purposes)\n");
Console.WriteLine("| what | CPU µs per touchpoint or read |\n| --- | ---: |");
var withoutConsent = FoldCost("fold a touchpoint, shipped computed traits, no decisions", customers, shipped.Computed);
var withConsent = FoldCost("fold a touchpoint, shipped computed traits, with its decisions", consenting, shipped.Computed);
Console.WriteLine($"| added by the consent fold | {withConsent - withoutConsent:0.00} |");
var consentFolded = consenting.Select(c => { var p = new ProfileContent(); foreach (var t in c) p.Add(t, shipped.Computed); return p; }).ToArray();
for (var i = 0; i < consentFolded.Length * 5; i++) shipped.Evaluate(consentFolded[i % consentFolded.Length], now).ForStorefront();
CpuTime("the storefront's read (computed traits, audiences, consent, gated), no decisions", folded.Length * 20,
    i => shipped.Evaluate(folded[i % folded.Length], now).ForStorefront());
CpuTime("the storefront's read (computed traits, audiences, consent, gated), with decisions", consentFolded.Length * 20,
    i => shipped.Evaluate(consentFolded[i % consentFolded.Length], now).ForStorefront());
CpuTime("  of which the consent statuses", consentFolded.Length * 20, i => shipped.Consent.Evaluate(consentFolded[i % consentFolded.Length].Consent, now));
var consentStates = consentFolded.Select(content => new Profiles.Grains.Identity.ProfileState { Content = content }).ToArray();
for (var i = 0; i < consentStates.Length * 5; i++) serializer.SerializeToArray(consentStates[i % consentStates.Length]);
CpuTime("write a profile's snapshot, shipped computed traits, with decisions", consentStates.Length * 20, i => serializer.SerializeToArray(consentStates[i % consentStates.Length]));
Console.WriteLine($"\nSnapshot bytes per profile: {personalisedStates.Average(s => serializer.SerializeToArray(s).Length):N0} without decisions, " +
    $"{consentStates.Average(s => serializer.SerializeToArray(s).Length):N0} with them.");

static ConsentDecision[] ConsentOf(Touchpoint touchpoint, int customer, int n) => touchpoint.Type switch
{
    "page_view" or "add_to_cart" => [new("analytics", null, true, "banner-v4", null), new("personalisation", null, customer % 7 != 0, "banner-v4", null)],
    "login" => [new("marketing", "email", true, "privacy-2026-10", customer % 3 == 0 ? touchpoint.OccurredAt.AddDays(30) : null)],
    "purchase" when customer % 5 == 0 && n % 4 == 0 => [new("marketing", "sms", false, null, null)],
    _ => [],
};

static double FoldCost(string label, Touchpoint[][] customers, ComputedTraits? traits)
{
    for (var round = 0; round < 3; round++)
    {
        foreach (var customer in customers)
        {
            var content = new ProfileContent();
            foreach (var touchpoint in customer) content.Add(touchpoint, traits);
        }
    }
    var count = customers.Sum(c => c.Length) * 10;
    return CpuTime(label, count, _ =>
    {
        for (var round = 0; round < 10; round++)
        {
            foreach (var customer in customers)
            {
                var content = new ProfileContent();
                foreach (var touchpoint in customer) content.Add(touchpoint, traits);
            }
        }
    }, once: true);
}

static double CpuTime(string label, int count, Action<int> work, bool once = false)
{
    var before = Process.GetCurrentProcess().TotalProcessorTime;
    if (once) work(0);
    else for (var i = 0; i < count; i++) work(i);
    var perItem = (Process.GetCurrentProcess().TotalProcessorTime - before).TotalMicroseconds / count;
    Console.WriteLine($"| {label} | {perItem:0.00} |");
    return perItem;
}

// The bench population's shape (bench/Profiles.Bench/Population.cs): 8 to 20 touchpoints over 90 days per customer,
// web views and cart adds with a category, shop purchases with amount, category and store, logins.
static Touchpoint[][] BenchLikeCustomers(int count)
{
    var random = new Random(42);
    var reader = new IdentifierReader(new IdentifierNormalizer("FR"), new IdentifierHasher("bench"u8.ToArray()));
    string[] categories = ["shoes", "shirts", "jeans", "bags", "beauty", "home", "kids", "sport"];
    return [.. Enumerable.Range(0, count).Select(c =>
    {
        reader.TryRead("email", $"c{c}@example.com", null, out var email, out _);
        return Enumerable.Range(0, random.Next(8, 21)).Select(n =>
        {
            var kind = random.Next(10);
            var (channel, type, properties) = kind switch
            {
                < 4 => ("web", "page_view", (object)new { url = $"/p/{random.Next(500)}", category = categories[random.Next(8)] }),
                < 6 => ("web", "add_to_cart", new { sku = $"SKU-{random.Next(900)}", category = categories[random.Next(8)] }),
                < 8 => ("store", "purchase", new { amount = Math.Round(random.NextDouble() * 200, 2), currency = "EUR", category = categories[random.Next(8)], storeId = $"S{random.Next(12)}" }),
                _ => ("web", "login", new { }),
            };
            return new Touchpoint($"t{c}-{n}", DateTimeOffset.UtcNow.AddMinutes(-random.Next(90 * 24 * 60)), channel, type, [email], [], JsonSerializer.Serialize(properties));
        }).ToArray();
    })];
}

static CelProgramDelegate Cel(string expression) => new CelEnvironment(null, null).Compile(expression);

NCalc.Expression NCalc(string expression)
{
    var e = new NCalc.Expression(expression, ExpressionOptions.AllowNullParameter | ExpressionOptions.OrdinalStringComparer);
    foreach (var (name, value) in variables) if (value is not Dictionary<string, object?>) e.Parameters[name] = value;
    return e;
}

static Func<AudienceFacts, bool> Profiles(string expression)
{
    var traits = new ComputedTraits(
    [
        new("orders", ComputedTraitKind.Count, null, TouchpointFilter.All, null, 30),
        new("revenue", ComputedTraitKind.Sum, "amount", TouchpointFilter.All, null, 30),
        new("revenue_365d", ComputedTraitKind.Sum, "amount", TouchpointFilter.All, 365, 30),
    ]);
    var audiences = new Audiences([new("a", expression)], traits);
    return facts => audiences.MembershipOf(facts).Length == 1;
}

static AudienceFacts Facts() => new([3, 250.5, AudienceValue.Null], 12, 8, 4, true,
    new TraitBag(new Dictionary<string, object?> { ["city"] = "Lyon" }), []);

static string Try(Func<object?> evaluate)
{
    try
    {
        return (evaluate()?.ToString() ?? "null").ToLowerInvariant();
    }
    catch (Exception e)
    {
        var message = e.Message.ReplaceLineEndings(" ");
        return $"error {e.GetType().Name}: {(message.Length > 90 ? message[..90] + "…" : message)}".Replace("|", "\\|");
    }
}

static void Time(string name, Func<object?> evaluate)
{
    for (var i = 0; i < 20_000; i++) evaluate();
    const int runs = 200_000;
    var allocated = GC.GetAllocatedBytesForCurrentThread();
    var clock = Stopwatch.StartNew();
    for (var i = 0; i < runs; i++) evaluate();
    var elapsed = clock.Elapsed;
    Console.WriteLine($"| {name} | {elapsed.TotalMicroseconds / runs:0.000} | {(GC.GetAllocatedBytesForCurrentThread() - allocated) / runs} |");
}
