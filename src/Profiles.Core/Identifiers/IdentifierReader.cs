using Profiles.Core.Touchpoints;

namespace Profiles.Core.Identifiers;

/// <summary>
/// Reads one identifier as a client sends it (<c>{ "type", "value" }</c> or <c>{ "type", "sha256" }</c>) into
/// the form that is stored: type, keyed hash and masked hint. This is the only place a clear value is turned
/// into a key, so the API lookup and the touchpoint parser cannot disagree on it.
/// </summary>
public sealed class IdentifierReader(IdentifierNormalizer normalizer, IdentifierHasher hasher)
{
    private const int Sha256HexLength = 64;

    /// <summary>Reads the identifier a read names by <c>type</c> and <c>value</c> or <c>sha256</c>: the lookup, the live
    /// stream and the .NET client.</summary>
    /// <returns>Null, or what is wrong, naming the parameter ("value: is not a valid phone number").</returns>
    public string? ReadNamed(string? type, string? value, string? sha256, out IdentifierRef identifier)
    {
        identifier = null!;
        if (string.IsNullOrEmpty(type))
            return "type: is required.";
        return TryRead(type, value, sha256, out identifier, out var error) ? null : $"{(value is null ? "sha256" : "value")}: {error}";
    }

    /// <param name="error">On failure, why; without the field name, which the caller knows and adds.</param>
    public bool TryRead(string type, string? value, string? sha256, out IdentifierRef identifier, out string error)
    {
        identifier = null!;
        if (value is not null && sha256 is not null)
        {
            error = "give either value or sha256, not both";
            return false;
        }
        if (value is null && sha256 is null)
        {
            error = "value or sha256 is required";
            return false;
        }

        if (value is not null)
        {
            if (!normalizer.TryNormalize(type, value, out var normalised, out error))
                return false;
            var key = hasher.KeyOf(type, IdentifierHasher.Sha256Hex(normalised));
            identifier = new IdentifierRef(type, key, IdentifierHint.Mask(type, normalised), FromHash: false);
            return true;
        }

        if (!IdentifierNormalizer.IsValidType(type))
        {
            error = "must match [a-z0-9_]{1,32}";
            return false;
        }
        var hex = sha256!.AsSpan().Trim();
        if (hex.Length != Sha256HexLength || !hex.ContainsOnlyHexDigits())
        {
            error = "must be 64 hexadecimal characters (a SHA-256)";
            return false;
        }
        // Hex tools disagree on case; the key is computed over lower-case hex as for clear values.
        var lower = hex.ToString().ToLowerInvariant();
        identifier = new IdentifierRef(type, hasher.KeyOf(type, lower), IdentifierHint.Hashed, FromHash: true);
        error = "";
        return true;
    }
}

file static class HexSpanExtensions
{
    public static bool ContainsOnlyHexDigits(this ReadOnlySpan<char> span)
    {
        foreach (var c in span)
        {
            if (!char.IsAsciiHexDigit(c))
                return false;
        }
        return true;
    }
}
