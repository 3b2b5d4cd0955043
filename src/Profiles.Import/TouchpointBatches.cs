using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Profiles.Contracts;

namespace Profiles.Import;

/// <summary>Rows sent in one request, with what each said, to tell a rejection in the file's terms.</summary>
public sealed record Batch(IReadOnlyList<(CrmRow Row, RowContent Content)> Rows, ReadOnlyMemory<byte> Body);

/// <summary>The file's rows as request bodies of <c>POST /v1/touchpoints</c>, up to <see cref="TouchpointBatch.MaxSize"/> each.</summary>
public static class TouchpointBatches
{
    // Bodies go to the node, never into a page: the default encoder would write "é" as "\u00E9".
    private static readonly JsonWriterOptions BodyOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <param name="rejected">Gets each row that cannot make a touchpoint, with the reason; it is in no batch.</param>
    public static IEnumerable<Batch> Read(CrmFile file, TouchpointWriter writer, Action<CrmRow, string> rejected)
    {
        var buffer = new ArrayBufferWriter<byte>(256 * 1024);
        using var json = new Utf8JsonWriter(buffer, BodyOptions);
        var rows = new List<(CrmRow, RowContent)>(TouchpointBatch.MaxSize);
        while (file.Next() is { } row)
        {
            if (!writer.TryRead(row, out var content, out var reason))
            {
                rejected(row, reason);
                continue;
            }
            if (rows.Count == 0) json.WriteStartArray();
            writer.Write(json, row, content);
            rows.Add((row, content));
            if (rows.Count < TouchpointBatch.MaxSize) continue;
            yield return Complete();
            rows = new List<(CrmRow, RowContent)>(TouchpointBatch.MaxSize);
        }
        if (rows.Count > 0) yield return Complete();

        Batch Complete()
        {
            json.WriteEndArray();
            json.Flush();
            var batch = new Batch(rows, buffer.WrittenMemory.ToArray());
            buffer.ResetWrittenCount();
            json.Reset(buffer);
            return batch;
        }
    }
}
