using System.Security.Cryptography;

namespace Profiles.Core.Profiles;

/// <summary>
/// Profile ids are time-ordered (milliseconds, then randomness), and ordinal order on them is the total order
/// that decides merges: the smaller id survives, so the oldest profile of a customer keeps its id.
/// </summary>
public static class ProfileId
{
    public static string New(TimeProvider time)
    {
        Span<byte> random = stackalloc byte[8];
        RandomNumberGenerator.Fill(random);
        return $"{time.GetUtcNow().ToUnixTimeMilliseconds():x12}{Convert.ToHexStringLower(random)}";
    }

    /// <summary>The survivor of a merge between two profiles.</summary>
    public static string Survivor(string a, string b) => string.CompareOrdinal(a, b) <= 0 ? a : b;

    public static bool IsValid(string? id) => id is { Length: 28 } && id.All(char.IsAsciiHexDigitLower);
}
