using Profiles.Core.Consent;
using Profiles.Core.Personalisation;

namespace Profiles.Silo.Configuration;

/// <summary>
/// Reads the consent purposes (docs/CONSENT.md) from configuration: <c>Profiles:Consent:Purposes:NAME:Default</c>, <c>granted</c>
/// or <c>denied</c>, the status while a profile holds no decision for the purpose. Any mistake throws with the key at fault,
/// so the node stops at start-up instead of honouring the wrong consent. The shipped purposes are in appsettings.json.
/// </summary>
public static class ConsentConfiguration
{
    public const string PurposesSection = "Profiles:Consent:Purposes";

    private const string DefaultField = "Default";

    /// <exception cref="InvalidOperationException">The configuration is not usable; the message names the key.</exception>
    public static ConsentPurposes Read(IConfiguration configuration)
    {
        var consent = configuration.GetSection("Profiles:Consent");
        if (consent.GetChildren().FirstOrDefault(c => c.Key != "Purposes") is { } unknown)
        {
            throw Error(unknown.Path, "is not a consent setting (Purposes:NAME:Default)");
        }
        var defaults = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var purpose in configuration.GetSection(PurposesSection).GetChildren())
        {
            if (!ComputedTraitDefinition.IsValidName(purpose.Key)) throw Error(purpose.Path, $"'{purpose.Key}' is not a purpose name: [a-z][a-z0-9_]{{0,63}}");
            if (purpose.GetChildren().FirstOrDefault(f => !f.Key.Equals(DefaultField, StringComparison.OrdinalIgnoreCase)) is { } field)
            {
                throw Error(field.Path, $"is not a field of a purpose (only {DefaultField})");
            }
            defaults[purpose.Key] = purpose[DefaultField] switch
            {
                ConsentStatus.Granted => true,
                ConsentStatus.Denied => false,
                null => throw Error($"{purpose.Path}:{DefaultField}", $"is required: {ConsentStatus.Granted} or {ConsentStatus.Denied}"),
                var other => throw Error($"{purpose.Path}:{DefaultField}", $"'{other}' is not {ConsentStatus.Granted} or {ConsentStatus.Denied}"),
            };
        }
        return new ConsentPurposes(defaults);
    }

    private static InvalidOperationException Error(string key, string problem) => new($"{key}: {problem}");
}
