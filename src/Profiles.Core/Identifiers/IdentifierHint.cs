using PhoneNumbers;

namespace Profiles.Core.Identifiers;

/// <summary>
/// The masked form of an identifier shown on staff screens: enough for a clerk to confirm "is your address
/// p***@example.com?", never enough to recover the value. Masks are computed from the normalised value once,
/// at ingestion, because the clear value is never stored.
/// </summary>
public static class IdentifierHint
{
    /// <summary>The hint of an identifier received only as a SHA-256: there is nothing to show.</summary>
    public const string Hashed = "(hashed)";

    private const string Stars = "***";

    private static readonly PhoneNumberUtil Phones = PhoneNumberUtil.GetInstance();

    public static string Mask(string type, string normalised)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(normalised);
        return type switch
        {
            "email" => MaskEmail(normalised),
            "phone" => MaskPhone(normalised),
            _ => MaskOpaque(normalised),
        };
    }

    // "paul.martin@example.com" -> "p***@example.com": the domain is shared by millions and helps staff,
    // the local part is what identifies the person.
    private static string MaskEmail(string email)
    {
        var at = email.LastIndexOf('@');
        if (at <= 0)
            return MaskOpaque(email);
        return string.Concat(Head(email, 1), Stars, email.AsSpan(at));
    }

    // "+33612345678" -> "+33 6** ** ** 78": the country code, the first national digit (mobile or landline)
    // and the last two digits, in the number's usual grouping so it reads like the number on a card.
    private static string MaskPhone(string e164)
    {
        string international;
        try
        {
            international = Phones.Format(Phones.Parse(e164, null), PhoneNumberFormat.INTERNATIONAL);
        }
        catch (NumberParseException)
        {
            return MaskOpaque(e164);
        }

        var space = international.IndexOf(' ');
        if (!international.StartsWith('+') || space < 0)
            return MaskOpaque(e164);

        var rest = international.AsSpan(space + 1);
        var digits = 0;
        foreach (var c in rest)
        {
            if (char.IsAsciiDigit(c))
                digits++;
        }
        // Too short to keep three digits and still hide anything: hide all of it.
        var keepLast = digits > 4 ? 2 : 0;
        var keepFirst = digits > 4 ? 1 : 0;

        // The French mobile hint reads "+33 6** ** ** 78" (docs/API.md, "The profile"), not "+33 6 ** ** ** 78": a lone
        // leading digit is joined to the group after it, so the hint does not advertise a one-digit group.
        var joinFirst = rest.Length > 2 && char.IsAsciiDigit(rest[0]) && !char.IsAsciiDigit(rest[1]) && keepFirst == 1;

        Span<char> masked = stackalloc char[rest.Length];
        var length = 0;
        var seen = 0;
        for (var i = 0; i < rest.Length; i++)
        {
            var c = rest[i];
            if (!char.IsAsciiDigit(c))
            {
                if (!(joinFirst && i == 1))
                    masked[length++] = c;
                continue;
            }
            seen++;
            masked[length++] = seen <= keepFirst || seen > digits - keepLast ? c : '*';
        }
        return string.Concat(international.AsSpan(0, space + 1), masked[..length]);
    }

    // Opaque ids ("CRM-000042" -> "CRM-***42"): a prefix often names the issuing system and the tail helps
    // tell two ids apart; short values show less, the shortest nothing.
    private static string MaskOpaque(string value)
    {
        if (value.Length <= 4)
            return Stars;
        var head = value.Length < 10 ? 1 : 4;
        return string.Concat(Head(value, head), Stars, Tail(value, 2));
    }

    // Cutting inside a surrogate pair would produce an invalid string that breaks JSON output; such a cut
    // drops the half instead (showing less, never more).
    private static ReadOnlySpan<char> Head(string value, int count)
    {
        var head = value.AsSpan(0, Math.Min(count, value.Length));
        return head.Length > 0 && char.IsHighSurrogate(head[^1]) ? head[..^1] : head;
    }

    private static ReadOnlySpan<char> Tail(string value, int count)
    {
        var tail = value.AsSpan(value.Length - Math.Min(count, value.Length));
        return tail.Length > 0 && char.IsLowSurrogate(tail[0]) ? tail[1..] : tail;
    }
}
