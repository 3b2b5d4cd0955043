using CsvHelper;

namespace Profiles.Import;

/// <summary>One data row of the file: its cells as written (quotes removed) and the line it starts on.</summary>
public sealed record CrmRow(long Line, string[] Cells);

/// <summary>
/// A CRM onboarding file: CSV with a header row, read with CsvHelper. UTF-8 (a byte order mark is fine); the
/// separator, <c>,</c> or <c>;</c> as spreadsheets in different locales write it, is detected from the first
/// lines; quoted fields may hold separators, quotes and line breaks; blank lines are skipped.
/// </summary>
public sealed class CrmFile : IDisposable
{
    private static readonly CsvReaderOptions Options = new() { TrackLineNumbers = true };

    private readonly CsvReader _csv;

    private CrmFile(string path, CsvReader csv)
    {
        Path = path;
        _csv = csv;
        Separator = csv.Separator;
        Header = [.. csv.Headers];
    }

    public string Path { get; }

    public char Separator { get; }

    public IReadOnlyList<string> Header { get; }

    /// <exception cref="FileProblemException">The file cannot be read or has no header row.</exception>
    public static CrmFile Open(string path)
    {
        if (!File.Exists(path)) throw new FileProblemException($"{path}: no such file");
        CsvReader? csv = null;
        try
        {
            csv = CsvReader.FromFile(path, Options);
            csv.ReadHeader();
            if (csv.Headers.Count == 0 || csv.Headers.All(string.IsNullOrWhiteSpace))
                throw new FileProblemException($"{path}: the file is empty; its first line must name the columns");
            return new CrmFile(path, csv);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CsvFormatException)
        {
            csv?.Dispose();
            throw new FileProblemException($"{path}: {e.Message}");
        }
        catch
        {
            csv?.Dispose();
            throw;
        }
    }

    /// <summary>How many data rows the file holds: one quick pass, so progress can show the time left.</summary>
    public static long CountRows(string path)
    {
        try
        {
            using var csv = CsvReader.FromFile(path, Options);
            long rows = 0;
            while (csv.Read()) rows++;
            return rows;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CsvFormatException)
        {
            throw new FileProblemException($"{path}: {e.Message}");
        }
    }

    /// <summary>The next data row, or null at the end of the file.</summary>
    /// <exception cref="FileProblemException">The file cannot be read any further.</exception>
    public CrmRow? Next()
    {
        try
        {
            if (!_csv.Read()) return null;
            var cells = new string[_csv.FieldCount];
            for (var i = 0; i < cells.Length; i++) cells[i] = _csv.GetString(i);
            return new CrmRow(_csv.LineNumber, cells);
        }
        catch (Exception e) when (e is IOException or CsvFormatException)
        {
            throw new FileProblemException($"{Path}: {e.Message}");
        }
    }

    public void Dispose() => _csv.Dispose();
}

/// <summary>The file named on the command line cannot be imported at all.</summary>
public sealed class FileProblemException(string message) : Exception(message);
