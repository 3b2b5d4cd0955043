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

    /// <summary>An id made from <paramref name="seed"/>: the same time and seed give the same id, so work that is
    /// repeated after a crash names what it makes alike.</summary>
    public static string Derived(DateTimeOffset at, string seed) =>
        $"{at.ToUnixTimeMilliseconds():x12}{Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(seed)))[..16]}";

    /// <summary>The survivor of a merge between two profiles.</summary>
    public static string Survivor(string a, string b) => string.CompareOrdinal(a, b) <= 0 ? a : b;

    public static bool IsValid(string? id) => id is { Length: 28 } && id.All(char.IsAsciiHexDigitLower);
}
