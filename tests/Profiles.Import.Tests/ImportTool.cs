using Profiles.Import;

namespace Profiles.Import.Tests;

/// <summary>What a user sees of one run of the import: its exit code, standard output and standard error.</summary>
public sealed record ImportOutcome(int ExitCode, string Output, string Errors)
{
    /// <summary>Standard output, which holds the summary line and nothing else.</summary>
    public string Summary => Output.TrimEnd('\r', '\n');
}

/// <summary>Runs the import's command line in this process, exactly as <c>Program</c> does.</summary>
public static class ImportTool
{
    public static async Task<ImportOutcome> RunAsync(params string[] args) => await RunAsync(args, _ => null);

    public static async Task<ImportOutcome> RunAsync(string[] args, Func<string, string?> environment)
    {
        using var output = new StringWriter();
        using var errors = new StringWriter();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var exit = await ImportCommand.RunAsync(args, output, errors, environment, timeout.Token);
        return new ImportOutcome(exit, output.ToString(), errors.ToString());
    }
}

/// <summary>A folder of its own for a test's files, removed afterwards.</summary>
public sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("profiles-import-").FullName;

    /// <summary>Writes <paramref name="content"/> as UTF-8, with a byte order mark when asked.</summary>
    public string Write(string name, string content, bool byteOrderMark = false)
    {
        var path = System.IO.Path.Combine(Path, name);
        File.WriteAllText(path, content, new System.Text.UTF8Encoding(byteOrderMark));
        return path;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
