// Compares CEL (Cel 0.3.3), NCalc (NCalcSync 7.4.0) and DynamicExpresso (2.19.6, as Profiles.Core uses it) on
// what contract section 7 asks of audience expressions: the same questions to each, then evaluation time.
using System.Diagnostics;
using Cel;
using NCalc;
using Profiles.Core.Personalisation;

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

Console.WriteLine("## Answers (contract: true, true, false, false, true, error, error, error, error)\n");
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
    new TraitBag(new Dictionary<string, object?> { ["city"] = "Lyon" }));

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
