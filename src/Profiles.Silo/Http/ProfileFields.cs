using Profiles.Contracts.Http;

namespace Profiles.Silo.Http;

/// <summary>
/// The <c>fields</c> parameter of a profile read: the top-level parts to answer with (<c>profileId</c>, <c>version</c>
/// and <c>consent</c> always come: a read that names its parts is the storefront's, which must see what the customer
/// allowed). Without it, every part.
/// </summary>
public sealed class ProfileFields
{
    private readonly HashSet<string> _parts;

    private ProfileFields(HashSet<string> parts) => _parts = parts;

    /// <summary>Only computed traits and audiences (with id, version and consent): a grain read that leaves the rest out.</summary>
    public bool PersonalisedOnly => _parts.All(p => p is ProfilePart.Computed or ProfilePart.Audiences or ProfilePart.Consent or ProfilePart.ProfileId or ProfilePart.Version);

    public bool Includes(string part) => _parts.Contains(part) || part is ProfilePart.ProfileId or ProfilePart.Version or ProfilePart.Consent;

    /// <returns>False with the problem, naming the field, when a name is not a part of a profile.</returns>
    public static bool TryParse(string? text, out ProfileFields? fields, out string? problem)
    {
        (fields, problem) = (null, null);
        if (text is null) return true;
        var names = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (names.Length == 0)
        {
            problem = $"fields: lists no part; name some of {string.Join(", ", ProfilePart.All)}";
            return false;
        }
        if (names.FirstOrDefault(name => !ProfilePart.All.Contains(name, StringComparer.Ordinal)) is { } unknown)
        {
            problem = $"fields: '{unknown}' is not a part of a profile ({string.Join(", ", ProfilePart.All)})";
            return false;
        }
        fields = new ProfileFields(names.ToHashSet(StringComparer.Ordinal));
        return true;
    }
}
