using System.Buffers;

namespace Profiles.Silo.Http;

/// <summary>
/// A request body read into a pooled buffer, up to a size limit. Kestrel enforces the same limit, but checking
/// it here too gives every host (test servers included) the same 413. Dispose returns the buffer, so keep the
/// body (and any JsonDocument parsed over it) alive only for the request.
/// </summary>
public sealed class RequestBody : IDisposable
{
    private byte[] _buffer;

    private RequestBody(byte[] buffer, int length) => (_buffer, Length) = (buffer, length);

    public int Length { get; }

    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, Length);

    /// <summary>The body, or null when it is larger than <paramref name="limit"/> bytes.</summary>
    public static Task<RequestBody?> ReadAsync(HttpRequest request, long limit) =>
        request.ContentLength > limit ? Task.FromResult<RequestBody?>(null) : ReadAsync(request.Body, request.ContentLength, limit, request.HttpContext.RequestAborted);

    /// <summary>What <paramref name="body"/> holds (a decompressing stream over the request's, say), or null as soon
    /// as it proves larger than <paramref name="limit"/> bytes: reading stops there.</summary>
    /// <param name="expectedLength">The length the body announced, to size the buffer; null when unknown.</param>
    public static async Task<RequestBody?> ReadAsync(Stream body, long? expectedLength, long limit, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(expectedLength is { } length && length <= limit ? (int)length + 1 : 16 * 1024);
        var filled = 0;
        try
        {
            int read;
            while ((read = await body.ReadAsync(buffer.AsMemory(filled), cancellationToken)) > 0)
            {
                filled += read;
                if (filled > limit)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return null;
                }
                if (filled == buffer.Length) buffer = Grow(buffer, filled);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return null;
        }
        return new RequestBody(buffer, filled);
    }

    private static byte[] Grow(byte[] buffer, int filled)
    {
        var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
        buffer.AsSpan(0, filled).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(buffer);
        return larger;
    }

    public void Dispose()
    {
        if (_buffer.Length == 0) return;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
