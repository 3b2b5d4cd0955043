using System.Security.Cryptography;
using System.Text;

namespace Profiles.Testing;

/// <summary>One identifier as a client sends it: a clear <see cref="Value"/> (in any spelling) or the
/// <see cref="Sha256"/> of the normalised value.</summary>
public readonly record struct IdentifierSpec(string Type, string? Value, string? Sha256 = null)
{
    /// <summary>The identifier as a client that never holds the clear value sends it.</summary>
    public static IdentifierSpec Hashed(string type, string normalised) => new(type, null, Sha256Hex(normalised));

    /// <summary>Lower-case hex of the SHA-256 of the UTF-8 bytes: the <c>sha256</c> field of the contract.</summary>
    public static string Sha256Hex(string normalised) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalised)));
}
