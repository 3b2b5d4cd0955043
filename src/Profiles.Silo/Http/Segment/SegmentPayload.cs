using System.IO.Compression;
using System.Text.Json;
using Profiles.Silo.Operations;

namespace Profiles.Silo.Http.Segment;

/// <summary>
/// The body of a Segment Spec call, read and parsed before authentication, since analytics.js sends its write key in
/// it (<see cref="IBodyWriteKeyFeature"/>). A gzip body (<c>Content-Encoding: gzip</c>, whatever its
/// <c>Content-Type</c> says: one library sends gzip as a form) is decompressed, and the limit applies to what it
/// decompresses to, so a small body cannot unpack into a large one. Disposed with the request.
/// </summary>
public sealed class SegmentPayload : IBodyWriteKeyFeature, IDisposable
{
    /// <summary>The largest body taken, decompressed: 500 KiB, as Segment's own API takes.</summary>
    public const int MaxBytes = 500 * 1024;

    private readonly RequestBody _body;
    private readonly JsonDocument _document;

    private SegmentPayload(RequestBody body, JsonDocument document) => (_body, _document) = (body, document);

    public JsonElement Root => _document.RootElement;

    public string? WriteKey =>
        Root.ValueKind == JsonValueKind.Object && Root.TryGetProperty("writeKey"u8, out var key) && key.ValueKind == JsonValueKind.String ? key.GetString() : null;

    /// <returns>The payload, or the problem that answers the request instead (413, 400, 415).</returns>
    public static async Task<(SegmentPayload? Payload, IResult? Problem)> ReadAsync(HttpRequest request)
    {
        var encoding = request.Headers.ContentEncoding.ToString().Trim();
        var gzip = encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase);
        if (!gzip && encoding.Length > 0 && !encoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            return (null, Problems.Status(StatusCodes.Status415UnsupportedMediaType, $"Content-Encoding: {encoding} is not supported; send the body as it is or gzip it."));
        }

        RequestBody? body;
        try
        {
            await using var decompressed = gzip ? new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true) : null;
            body = gzip
                ? await RequestBody.ReadAsync(decompressed!, null, MaxBytes, request.HttpContext.RequestAborted)
                : await RequestBody.ReadAsync(request, MaxBytes);
        }
        catch (InvalidDataException)
        {
            return (null, Problems.BadRequest("The body says Content-Encoding: gzip but is not gzip data."));
        }
        if (body is null) return (null, Problems.Status(StatusCodes.Status413PayloadTooLarge, $"The body is larger than {MaxBytes} bytes (500 KiB), decompressed."));

        try
        {
            return (new SegmentPayload(body, JsonDocument.Parse(body.Memory)), null);
        }
        catch (JsonException e)
        {
            body.Dispose();
            return (null, Problems.BadRequest($"The body is not valid JSON: {e.Message}"));
        }
    }

    /// <summary>The events of the body: a batch's <c>batch</c> array, else the body itself, one event.</summary>
    /// <param name="isBatch">The route takes a batch (<c>/v1/batch</c>, <c>/v1/b</c>).</param>
    /// <returns>Null, or why the body is not such JSON (the 400 detail).</returns>
    public string? ReadEvents(bool isBatch, out IReadOnlyList<JsonElement> events)
    {
        events = [];
        if (Root.ValueKind != JsonValueKind.Object) return isBatch ? "The body must be an object { \"batch\": [event, ...] }." : "The body must be one event object.";
        if (!isBatch)
        {
            events = [Root];
            return null;
        }
        if (!Root.TryGetProperty("batch"u8, out var batch) || batch.ValueKind != JsonValueKind.Array) return "batch: must be an array of events.";
        events = [.. batch.EnumerateArray()];
        return null;
    }

    public void Dispose()
    {
        _document.Dispose();
        _body.Dispose();
    }
}
