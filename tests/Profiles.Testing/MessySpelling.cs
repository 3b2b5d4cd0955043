namespace Profiles.Testing;

/// <summary>Identifiers spelled the way people and shop systems type them, which the node must normalise.</summary>
public static class MessySpelling
{
    /// <summary>Random capitals, sometimes surrounding spaces.</summary>
    public static string Email(Random r, string email)
    {
        var mode = r.Next(4);
        var s = mode switch
        {
            0 => email,
            1 => email.ToUpperInvariant(),
            2 => char.ToUpperInvariant(email[0]) + email[1..],
            _ => string.Create(email.Length, (email, r.Next()), static (span, st) =>
            {
                var rr = new Random(st.Item2);
                for (var i = 0; i < span.Length; i++) span[i] = rr.Next(2) == 0 ? char.ToUpperInvariant(st.email[i]) : st.email[i];
            }),
        };
        return r.Next(3) switch { 0 => " " + s + " ", 1 => s + "  ", _ => s };
    }

    /// <summary>A French mobile (<paramref name="national"/>: 10 digits, 06 or 07) in one of the spellings
    /// found in shop systems.</summary>
    public static string Phone(Random r, string national)
    {
        var n = national[1..]; // 9 digits
        return r.Next(5) switch
        {
            0 => $"{national[..2]} {national[2..4]} {national[4..6]} {national[6..8]} {national[8..]}",
            1 => $"+33 {n[0]} {n[1..3]} {n[3..5]} {n[5..7]} {n[7..]}",
            2 => "0033" + n,
            3 => "+33" + n,
            _ => national,
        };
    }
}
