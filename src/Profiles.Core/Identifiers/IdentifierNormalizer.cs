using System.Text.RegularExpressions;
using PhoneNumbers;

namespace Profiles.Core.Identifiers;

/// <summary>
/// Turns an identifier value, in whatever spelling a channel sends it, into the one spelling that is hashed,
/// so that " Paul.Martin@Example.COM " from the store and "paul.martin@example.com" from the web are one
/// identifier. Stateless apart from the default region: safe to share between threads.
/// </summary>
public sealed partial class IdentifierNormalizer
{
    public const int MaxValueLength = 512;

    private static readonly PhoneNumberUtil Phones = PhoneNumberUtil.GetInstance();

    private readonly string _defaultRegion;

    /// <param name="defaultRegion">ISO 3166 region ("FR") in which numbers written without a country code are read.</param>
    public IdentifierNormalizer(string defaultRegion)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(defaultRegion);
        var region = defaultRegion.Trim().ToUpperInvariant();
        // Fail at start-up rather than rejecting every national number at run time.
        if (!Phones.GetSupportedRegions().Contains(region))
            throw new ArgumentException($"'{defaultRegion}' is not a region known to libphonenumber.", nameof(defaultRegion));
        _defaultRegion = region;
    }

    /// <summary>True when <paramref name="type"/> is a well-formed identifier type.</summary>
    public static bool IsValidType(string? type) => type is not null && TypePattern().IsMatch(type);

    /// <param name="error">On failure, why; without the field name, which the caller knows and adds.</param>
    public bool TryNormalize(string type, string value, out string normalised, out string error)
    {
        normalised = "";
        if (!IsValidType(type))
        {
            error = "must match [a-z0-9_]{1,32}";
            return false;
        }

        var trimmed = value.AsSpan().Trim();
        if (trimmed.IsEmpty)
        {
            error = "must not be empty";
            return false;
        }
        if (trimmed.Length > MaxValueLength)
        {
            error = $"must be at most {MaxValueLength} characters";
            return false;
        }

        switch (type)
        {
            case "email":
                return TryNormalizeEmail(trimmed, out normalised, out error);
            case "phone":
                return TryNormalizePhone(trimmed, out normalised, out error);
            default:
                // crm_id, loyalty_id, customer_id, cookie, device_id, app_user_id and unknown types: these are
                // opaque keys minted by other systems, where case can be significant, so only the
                // whitespace a form or a CSV export adds is removed.
                normalised = trimmed.Length == value.Length ? value : trimmed.ToString();
                error = "";
                return true;
        }
    }

    private static bool TryNormalizeEmail(ReadOnlySpan<char> trimmed, out string normalised, out string error)
    {
        normalised = "";
        error = "is not a plausible e-mail address";

        var at = trimmed.IndexOf('@');
        if (at <= 0 || trimmed[(at + 1)..].Contains('@'))
            return false;

        var domain = trimmed[(at + 1)..];
        if (domain.Length < 3 || !domain.Contains('.') || domain[0] == '.' || domain[^1] == '.' || domain.Contains("..", StringComparison.Ordinal))
            return false;

        foreach (var c in trimmed)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
                return false;
        }

        // Mailbox local parts are case-sensitive in theory, but no provider treats them so and customers
        // type them in every case: one person, one key matters more here.
        normalised = trimmed.ToString().ToLowerInvariant();
        error = "";
        return true;
    }

    private bool TryNormalizePhone(ReadOnlySpan<char> trimmed, out string normalised, out string error)
    {
        normalised = "";
        error = "is not a valid phone number";
        PhoneNumber number;
        try
        {
            // libphonenumber reads "0033 ...", "+33 (0)6 ..." and national spellings itself (checked by tests),
            // so no pre-cleaning of our own that could disagree with it.
            number = Phones.Parse(trimmed.ToString(), _defaultRegion);
        }
        catch (NumberParseException)
        {
            return false;
        }
        // A number that merely parses ("0000000000") would link unrelated customers on placeholder input.
        if (!Phones.IsValidNumber(number))
            return false;

        normalised = Phones.Format(number, PhoneNumberFormat.E164);
        error = "";
        return true;
    }

    // \z, not $: $ also matches before a final "\n", which would let "email\n" through as a type.
    [GeneratedRegex(@"^[a-z0-9_]{1,32}\z", RegexOptions.CultureInvariant)]
    private static partial Regex TypePattern();
}
