using Profiles.Core.Consent;
using Profiles.Core.Identifiers;
using Profiles.Core.Segment;
using Profiles.Core.Touchpoints;

namespace Profiles.Silo.Configuration;

/// <summary>
/// Reads how Segment events become touchpoints (docs/SEGMENT.md) from <c>Profiles:Segment</c>: <c>Events:NAME=type</c>
/// (the shipped e-commerce mapping is in appsettings.json), <c>UserIdType</c>, <c>PreviousIdType</c> and
/// <c>ConsentCategories:CATEGORY=PURPOSE</c>. A value that could never be a touchpoint's type or an identifier type, or
/// a purpose that is not configured, stops the node at start-up with a message naming the key: otherwise every such
/// event would be skipped, or every such consent decision left out.
/// </summary>
public static class SegmentConfiguration
{
    public const string Section = "Profiles:Segment";

    /// <param name="purposes">The configured consent purposes, which consent categories may name.</param>
    public static SegmentSettings Read(IConfiguration configuration, ConsentPurposes purposes)
    {
        var section = configuration.GetSection(Section);
        return new SegmentSettings(
            Table(section.GetSection("Events"), TouchpointParser.IsValidType, "a touchpoint type ([a-z0-9_.]{1,64})"),
            IdentifierType(section, "UserIdType") ?? SegmentSettings.DefaultUserIdType,
            IdentifierType(section, "PreviousIdType"),
            Table(section.GetSection("ConsentCategories"), purposes.IsConfigured,
                $"a configured consent purpose (one of {string.Join(", ", purposes.Names)}; Profiles:Consent:Purposes)"));
    }

    private static Dictionary<string, string> Table(IConfigurationSection table, Func<string, bool> isValid, string what)
    {
        var entries = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in table.GetChildren())
        {
            var value = entry.Value?.Trim() ?? "";
            entries[entry.Key] = isValid(value) ? value : throw new InvalidOperationException($"{Section}:{table.Key}:{entry.Key} must be {what}.");
        }
        return entries;
    }

    private static string? IdentifierType(IConfigurationSection section, string key)
    {
        var type = section[key]?.Trim();
        if (string.IsNullOrEmpty(type)) return null;
        return IdentifierNormalizer.IsValidType(type) ? type : throw new InvalidOperationException($"{Section}:{key} must be an identifier type ([a-z0-9_]{{1,32}}).");
    }
}
