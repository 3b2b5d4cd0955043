using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Profiles.Core.Paging;

/// <summary>
/// The text of the cursors clients read on from (a journey's next page, the change feed, an audience's members): the
/// reader's position in base64url, which travels in a query string or a Last-Event-ID as it is and tells a client
/// nothing to come to rely on. Each kind of cursor decides what its position holds; this is their one encoding.
/// </summary>
public static class OpaqueCursor
{
    // Strict, so that bytes that are not UTF-8 make a cursor that was never issued rather than a position with U+FFFD.
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static string Encode(ReadOnlySpan<byte> position) => Base64Url.EncodeToString(position);

    public static string Encode(string position) => Encode(Utf8.GetBytes(position));

    /// <returns>False when <paramref name="cursor"/> is empty or not base64url: not a cursor this API returned. The bytes
    /// of one that is may still not be a position of the caller's kind, which is the caller's check.</returns>
    public static bool TryDecode(string cursor, [NotNullWhen(true)] out byte[]? position)
    {
        position = null;
        if (cursor.Length == 0) return false;
        try
        {
            position = Base64Url.DecodeFromChars(cursor);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <returns>False as <see cref="TryDecode"/>, and when the bytes are not UTF-8 text.</returns>
    public static bool TryDecodeText(string cursor, [NotNullWhen(true)] out string? position)
    {
        position = null;
        if (!TryDecode(cursor, out var bytes)) return false;
        try
        {
            position = Utf8.GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }
}
