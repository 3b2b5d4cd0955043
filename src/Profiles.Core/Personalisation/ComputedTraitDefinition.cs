using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Profiles.Core.Personalisation;

/// <summary>What a computed trait reports about the touchpoints it matches (docs/PERSONALISATION.md).</summary>
public enum ComputedTraitKind
{
    Count,
    Sum,
    Min,
    Max,
    First,
    Last,
    Distinct,
    Top,
    Affinity,
}

/// <summary>
/// One computed trait as configured: <see cref="Of"/> the value read (<c>channel</c>, <c>type</c>, <c>occurredAt</c>
/// or a top-level key of <c>properties</c>), over the touchpoints <see cref="Where"/> admits, within the last
/// <see cref="WindowDays"/> UTC days when set.
/// </summary>
public sealed partial record ComputedTraitDefinition(
    string Name,
    ComputedTraitKind Kind,
    string? Of,
    TouchpointFilter Where,
    int? WindowDays,
    double HalfLifeDays)
{
    public const int MaxWindowDays = 400;
    public const double DefaultHalfLifeDays = 30;

    /// <summary>Affinity without a window scores the last <see cref="MaxWindowDays"/> days: day buckets must end
    /// somewhere, and a touchpoint older than that weighs less than 0.5^(400/halfLife).</summary>
    public int? EffectiveWindowDays => Kind == ComputedTraitKind.Affinity ? WindowDays ?? MaxWindowDays : WindowDays;

    /// <summary>Whether the trait keeps per-UTC-day buckets rather than one total.</summary>
    public bool ByDay => EffectiveWindowDays is not null;

    /// <summary>
    /// Everything the accumulated state depends on, in a fixed spelling. State is kept under this key, not the
    /// trait's name, so a trait redefined under the same name never reads state folded under the old rule.
    /// The window is not part of it for a windowed kind: buckets serve any window up to the horizon kept.
    /// </summary>
    public string Signature => $"{Kind}|{Of}|{Where.Signature}|{(ByDay ? "days" : "total")}";

    /// <summary>The key a profile keeps this trait's state under: a digest of <see cref="Signature"/>, 8 characters
    /// instead of the signature's dozens in every stored profile.</summary>
    public string StateKey => _stateKey ??= Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(Signature)).AsSpan(0, 6));

    private string? _stateKey;

    /// <summary>Names of computed traits (and audiences): what an expression and a JSON key can both carry.</summary>
    public static bool IsValidName(string name) => NamePattern().IsMatch(name);

    [GeneratedRegex("^[a-z][a-z0-9_]{0,63}$")]
    private static partial Regex NamePattern();
}

/// <summary>
/// The <c>where</c> of a computed trait: every part must hold. Each part lists the texts it admits; a touchpoint
/// without the property does not match a property part.
/// </summary>
public sealed record TouchpointFilter(
    IReadOnlySet<string>? Channels,
    IReadOnlySet<string>? Types,
    IReadOnlyDictionary<string, IReadOnlySet<string>> Properties)
{
    public static readonly TouchpointFilter All = new(null, null, new Dictionary<string, IReadOnlySet<string>>());

    public string Signature =>
        $"channel={Join(Channels)};type={Join(Types)};" +
        string.Concat(Properties.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"properties:{p.Key}={Join(p.Value)};"));

    private static string Join(IReadOnlySet<string>? values) =>
        values is null ? "*" : JsonSerializer.Serialize(values.Order(StringComparer.Ordinal));
}
