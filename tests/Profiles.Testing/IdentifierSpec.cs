using System.Security.Cryptography;
using System.Text;

namespace Profiles.Testing;

/// <summary>One identifier as a client sends it: a clear <see cref="Value"/> (in any spelling) or the
/// <see cref="Sha256"/> of the normalised value.</summary>
public readonly record struct IdentifierSpec(string Type, string? Value, string? Sha256 = null)
{
    /// <summary>The identifier as a client that never holds the clear value sends it.</summary>
    public static IdentifierSpec Hashed(string type, string normalised) => new(type, null, Sha256Hex(normalised));

    /// <summary>The query that names this identifier in <c>GET /v1/profiles/lookup</c> and <c>/v1/profiles/live</c>.</summary>
    public string Query => Sha256 is not null
        ? $"type={Uri.EscapeDataString(Type)}&sha256={Sha256}"
        : $"type={Uri.EscapeDataString(Type)}&value={Uri.EscapeDataString(Value!)}";

    /// <summary>Lower-case hex of the SHA-256 of the UTF-8 bytes: the <c>sha256</c> field of an identifier (docs/API.md, "Touchpoints in").</summary>
    public static string Sha256Hex(string normalised) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalised)));
}
