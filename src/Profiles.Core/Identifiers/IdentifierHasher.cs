using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace Profiles.Core.Identifiers;

/// <summary>
/// Computes the stored key of an identifier (docs/API.md, "Touchpoints in"):
/// <c>HMAC-SHA256(HashKey, type + ":" + hex(SHA-256(normalised value)))</c>, lower-case hex.
/// The plain SHA-256 step is what lets a CRM file that carries only hashes link to the same identifier as a
/// clear value; the keyed HMAC on top is what keeps a stolen store from being reversed by hashing guesses.
/// Uses only one-shot static hash APIs, so one instance is safely shared by all threads.
/// </summary>
public sealed class IdentifierHasher
{
    // Inputs up to this size are encoded on the stack: every real identifier fits, so the hot path
    // allocates nothing but the resulting hex string.
    private const int StackLimit = 1024;

    private readonly byte[] _hashKey;

    public IdentifierHasher(byte[] hashKey)
    {
        ArgumentNullException.ThrowIfNull(hashKey);
        if (hashKey.Length == 0)
            throw new ArgumentException("The identifier hash key must not be empty.", nameof(hashKey));
        // Our own copy: a caller clearing or reusing its array must not silently change every key.
        _hashKey = (byte[])hashKey.Clone();
    }

    /// <summary>Lower-case hex SHA-256 of the UTF-8 bytes of a normalised value.</summary>
    public static string Sha256Hex(string normalised)
    {
        ArgumentNullException.ThrowIfNull(normalised);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        var max = Encoding.UTF8.GetMaxByteCount(normalised.Length);
        byte[]? rented = null;
        var buffer = max <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            var length = Encoding.UTF8.GetBytes(normalised, buffer);
            SHA256.HashData(buffer[..length], hash);
        }
        finally
        {
            if (rented is not null)
                ArrayPool<byte>.Shared.Return(rented, clearArray: true);
        }
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>The stored key: lower-case hex HMAC-SHA256 of <c>type + ":" + sha256Hex</c>.</summary>
    /// <param name="sha256Hex">Lower-case hex SHA-256 of the normalised value (64 characters).</param>
    public string KeyOf(string type, string sha256Hex)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(sha256Hex);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        var max = Encoding.UTF8.GetMaxByteCount(type.Length + 1 + sha256Hex.Length);
        byte[]? rented = null;
        var buffer = max <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            var length = Encoding.UTF8.GetBytes(type, buffer);
            buffer[length++] = (byte)':';
            length += Encoding.UTF8.GetBytes(sha256Hex, buffer[length..]);
            HMACSHA256.HashData(_hashKey, buffer[..length], mac);
        }
        finally
        {
            if (rented is not null)
                ArrayPool<byte>.Shared.Return(rented);
        }
        return Convert.ToHexStringLower(mac);
    }
}
