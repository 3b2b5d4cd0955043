using CsvHelper;

namespace Profiles.Import;

/// <summary>
/// <c>FILE.rejected.csv</c> beside the imported file: its header and rejected rows as they were, plus a column
/// with the reason, in the same separator. Fixed, it can be imported again with the same command.
/// </summary>
public static class RejectedFile
{
    public static string PathFor(string file) => Path.ChangeExtension(file, ".rejected.csv");

    /// <summary>Writes the rejected rows, or removes the file a previous run left when there are none, so
    /// that what is there always speaks of the last run.</summary>
    /// <returns>The path written, or null when no row was rejected.</returns>
    public static string? Write(CrmFile file, IReadOnlyList<RejectedRow> rejected)
    {
        var path = PathFor(file.Path);
        if (rejected.Count == 0)
        {
            File.Delete(path);
            return null;
        }
        var width = file.Header.Count;
        using var csv = CsvWriter.Create(File.Create(path), new CsvWriterOptions { Separator = file.Separator, WriteByteOrderMark = true });
        foreach (var column in file.Header) csv.WriteField(column);
        csv.WriteField(file.Header.Contains("reason", StringComparer.OrdinalIgnoreCase) ? "rejection_reason" : "reason");
        csv.EndRecord();
        foreach (var (row, reason) in rejected)
        {
            for (var i = 0; i < width; i++) csv.WriteField(Cell(row.Cells, i, width, file.Separator));
            csv.WriteField(reason);
            csv.EndRecord();
        }
        return path;
    }

    // A row with more fields than the header keeps them all: the extra ones stay in its last column, joined
    // by the separator as they stood in the file, so that fixing the row loses nothing.
    private static string Cell(string[] cells, int i, int width, char separator) =>
        i < width - 1 || cells.Length <= width
            ? (i < cells.Length ? cells[i] : "")
            : string.Join(separator, cells[i..]);
}
