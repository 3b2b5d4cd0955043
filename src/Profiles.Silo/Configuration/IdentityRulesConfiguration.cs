using Profiles.Core.Identifiers;
using Profiles.Core.Rules;

namespace Profiles.Silo.Configuration;

/// <summary>
/// Reads the identity rules (docs/API.md, README) from configuration: <c>Profiles:IdentityRules:TYPE:Priority</c>
/// and <c>:Limit</c> (absent or empty: unlimited), and <c>Profiles:BlockedValues:TYPE</c> as an array or a
/// comma-separated string (<c>*</c> for every type). The shipped defaults are in appsettings.json.
/// </summary>
public static class IdentityRulesConfiguration
{
    public static IdentityRules Read(IConfiguration configuration, IdentifierReader reader)
    {
        var rules = configuration.GetSection("Profiles:IdentityRules").GetChildren().ToDictionary(
            type => type.Key,
            type => new IdentifierRule(
                type.GetValue<int?>("Priority") ?? IdentityRules.Unconfigured.Priority,
                string.IsNullOrWhiteSpace(type["Limit"]) ? null : type.GetValue<int>("Limit")),
            StringComparer.Ordinal);
        if (rules.FirstOrDefault(r => r.Value.Limit < 1) is { Key: { } type, Value: var rule } && rule is not null)
        {
            throw new InvalidOperationException($"Profiles:IdentityRules:{type}:Limit must be at least 1 (leave it empty for unlimited).");
        }
        var blocked = configuration.GetSection("Profiles:BlockedValues").GetChildren().ToDictionary(
            type => type.Key,
            type => (IReadOnlyList<string>)(type.Value is { } list
                ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                : [.. type.GetChildren().Select(value => value.Value).OfType<string>()]),
            StringComparer.Ordinal);
        return new IdentityRules(rules, BlockedValues.From(blocked, reader));
    }
}
