using System.Globalization;
using Profiles.Core.Consent;
using Profiles.Core.Personalisation;
using Profiles.Core.Touchpoints;

namespace Profiles.Silo.Configuration;

/// <summary>
/// Reads computed traits and audiences (docs/PERSONALISATION.md) from configuration: <c>Profiles:ComputedTraits:NAME</c> (<c>kind</c>, <c>of</c>,
/// <c>where</c>, <c>window</c>, <c>halfLife</c>) and <c>Profiles:Audiences:NAME</c> (an expression, or <c>Expression</c>,
/// <c>Purpose</c> and <c>Channel</c> for an audience that is for a purpose), with the consent purposes
/// (<see cref="ConsentConfiguration"/>). Any mistake throws with the key at fault, so the node stops at start-up
/// instead of serving wrong values. The shipped retail defaults are in appsettings.json and the README.
/// </summary>
public static class PersonalisationConfiguration
{
    public const string TraitsSection = "Profiles:ComputedTraits";
    public const string AudiencesSection = "Profiles:Audiences";

    private static readonly string[] TraitFields = ["kind", "of", "where", "window", "halfLife"];
    private static readonly string[] AudienceFields = ["Expression", "Purpose", "Channel"];
    private static readonly string[] Kinds = [.. Enum.GetNames<ComputedTraitKind>().Select(kind => kind.ToLowerInvariant())];

    /// <exception cref="InvalidOperationException">The configuration is not usable; the message names the key.</exception>
    public static Personalisation Read(IConfiguration configuration)
    {
        var purposes = ConsentConfiguration.Read(configuration);
        var computed = new ComputedTraits(configuration.GetSection(TraitsSection).GetChildren().Select(ReadTrait).ToList());
        var audiences = configuration.GetSection(AudiencesSection).GetChildren().Select(audience => ReadAudience(audience, purposes)).ToList();
        try
        {
            return new Personalisation(computed, new Audiences(audiences, computed, purposes), purposes);
        }
        catch (AudienceExpressionException e) when (e.Audience is { } audience)
        {
            throw Error($"{AudiencesSection}:{audience}", e.Message);
        }
    }

    /// <summary>An expression as the audience's value, or its <c>Expression</c> where that is set (a JSON file cannot give
    /// a key both a value and children); a <c>Purpose</c>, and a <c>Channel</c> of it, for an audience that is for one.</summary>
    private static AudienceDefinition ReadAudience(IConfigurationSection audience, ConsentPurposes purposes)
    {
        CheckName(audience.Path, audience.Key);
        if (audience.GetChildren().FirstOrDefault(f => !AudienceFields.Contains(f.Key, StringComparer.OrdinalIgnoreCase)) is { } unknown)
        {
            throw Error(unknown.Path, $"is not a field of an audience ({string.Join(", ", AudienceFields)})");
        }
        var expression = audience["Expression"] ?? audience.Value;
        if (string.IsNullOrWhiteSpace(expression)) throw Error(audience.Path, "needs an expression");
        var purpose = audience["Purpose"];
        if (purpose is not null && !purposes.IsConfigured(purpose))
        {
            throw Error($"{audience.Path}:Purpose", $"'{purpose}' is not a configured purpose ({string.Join(", ", purposes.Names)})");
        }
        var channel = audience["Channel"];
        if (channel is not null)
        {
            if (purpose is null) throw Error($"{audience.Path}:Channel", "needs a Purpose: the channel says where the purpose must be granted");
            if (!ChannelKinds.IsValidName(channel)) throw Error($"{audience.Path}:Channel", $"'{channel}' is not a channel name: [a-z0-9_]{{1,32}}");
        }
        return new AudienceDefinition(audience.Key, expression, purpose, channel);
    }

    private static ComputedTraitDefinition ReadTrait(IConfigurationSection trait)
    {
        CheckName(trait.Path, trait.Key);
        if (Audiences.ReservedNames.Contains(trait.Key)) throw Error(trait.Path, $"'{trait.Key}' is a variable of audience expressions already: choose another name");
        if (trait.GetChildren().FirstOrDefault(f => !TraitFields.Contains(f.Key, StringComparer.OrdinalIgnoreCase)) is { } unknown)
        {
            throw Error(unknown.Path, $"is not a field of a computed trait ({string.Join(", ", TraitFields)})");
        }

        var kindText = trait["kind"];
        var kindIndex = Array.IndexOf(Kinds, kindText);
        if (kindIndex < 0) throw Error($"{trait.Path}:kind", kindText is null ? $"is required: one of {string.Join(", ", Kinds)}" : $"'{kindText}' is not one of {string.Join(", ", Kinds)}");
        var kind = Enum.GetValues<ComputedTraitKind>()[kindIndex];

        var of = trait["of"];
        if (string.IsNullOrWhiteSpace(of))
        {
            if (kind != ComputedTraitKind.Count) throw Error($"{trait.Path}:of", $"is required for kind {kindText}: a property key, channel, type or occurredAt");
            of = null;
        }

        int? window = null;
        if (trait["window"] is { } windowText)
        {
            if (kind is ComputedTraitKind.First or ComputedTraitKind.Last or ComputedTraitKind.Distinct)
            {
                throw Error($"{trait.Path}:window", $"does not apply to kind {kindText} (only count, sum, min, max, top, affinity)");
            }
            window = windowText.EndsWith('d') && int.TryParse(windowText[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var days)
                     && days is >= 1 and <= ComputedTraitDefinition.MaxWindowDays
                ? days
                : throw Error($"{trait.Path}:window", $"'{windowText}' is not Nd with N from 1 to {ComputedTraitDefinition.MaxWindowDays} (e.g. 30d)");
        }

        var halfLife = ComputedTraitDefinition.DefaultHalfLifeDays;
        if (trait["halfLife"] is { } halfLifeText)
        {
            if (kind != ComputedTraitKind.Affinity) throw Error($"{trait.Path}:halfLife", $"applies to kind affinity only, not {kindText}");
            halfLife = double.TryParse(halfLifeText, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) && value > 0
                ? value
                : throw Error($"{trait.Path}:halfLife", $"'{halfLifeText}' is not a positive number of days");
        }

        return new ComputedTraitDefinition(trait.Key, kind, of, ReadFilter(trait.GetSection("where")), window, halfLife);
    }

    private static TouchpointFilter ReadFilter(IConfigurationSection where)
    {
        IReadOnlySet<string>? channels = null, types = null;
        var properties = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
        foreach (var part in where.GetChildren())
        {
            if (part.Key.Equals("channel", StringComparison.OrdinalIgnoreCase)) channels = Texts(part);
            else if (part.Key.Equals("type", StringComparison.OrdinalIgnoreCase)) types = Texts(part);
            else if (part.Key.Equals("properties", StringComparison.OrdinalIgnoreCase))
            {
                foreach (var property in part.GetChildren()) properties[property.Key] = Texts(property);
            }
            else throw Error(part.Path, "is not a filter (channel, type, properties:KEY)");
        }
        return new TouchpointFilter(channels, types, properties);
    }

    /// <summary>One value, or an array of values (children 0, 1, ...).</summary>
    private static HashSet<string> Texts(IConfigurationSection part)
    {
        var texts = part.Value is { } single ? [single] : part.GetChildren().Select(c => c.Value).OfType<string>().ToHashSet(StringComparer.Ordinal);
        return texts.Count == 0 ? throw Error(part.Path, "needs a value or an array of values") : texts;
    }

    private static void CheckName(string key, string name)
    {
        if (!ComputedTraitDefinition.IsValidName(name)) throw Error(key, $"'{name}' is not a name: [a-z][a-z0-9_]{{0,63}}");
    }

    private static InvalidOperationException Error(string key, string problem) => new($"{key}: {problem}");
}
