using System.Diagnostics;
using System.Globalization;
using Profiles.Core.Touchpoints;

namespace Profiles.Import;

/// <summary>The import from the command line to the summary line: what <c>Program</c> runs, and what tests run.</summary>
public static class ImportCommand
{
    public const int Imported = 0;
    public const int Failed = 1;
    public const int BadArguments = 2;

    /// <param name="output">Gets the summary line and nothing else, so a script can read it.</param>
    /// <param name="errors">Gets progress, notes and errors.</param>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter errors,
        Func<string, string?> environment, CancellationToken ct)
    {
        ImportOptions options;
        CrmFile file;
        try
        {
            options = ImportOptions.Parse(args, environment);
            file = CrmFile.Open(options.File);
        }
        catch (UsageException e) when (e.Message.Length == 0)
        {
            await output.WriteLineAsync(ImportOptions.Usage);
            return Imported;
        }
        catch (Exception e) when (e is UsageException or FileProblemException)
        {
            await errors.WriteLineAsync($"error: {e.Message}{Environment.NewLine}(--help lists the options)");
            return BadArguments;
        }

        using (file)
        {
            var fileName = Path.GetFileName(file.Path);
            RowMapping mapping;
            try
            {
                mapping = RowMapping.Resolve(options, file.Header, fileName);
            }
            catch (UsageException e)
            {
                await errors.WriteLineAsync($"error: {e.Message}");
                return BadArguments;
            }

            // Reads are small requests: more of them in flight keep the node as busy as the ingest did.
            var readers = options.Parallel * 4;
            using var node = new RetryingNode(options.Target, options.Key, Math.Max(options.Parallel, readers), Backoff.Default);
            var writer = new TouchpointWriter(mapping, fileName);
            try
            {
                var (summary, report) = await new ProgressDisplay(errors).RunAsync(async progress =>
                {
                    var clock = Stopwatch.StartNew();
                    var tally = await BatchSender.SendAsync(file, writer, node, options.Parallel,
                        progress($"rows of {fileName}", CrmFile.CountRows(file.Path)), ct);
                    var sent = clock.Elapsed;
                    var rejectedPath = RejectedFile.Write(file, tally.RejectedRows);
                    clock.Restart();
                    // Rows on an online channel make their own profile online: nothing to read.
                    var profiles = ChannelKinds.IsOnline(options.Channel) ? 0 : tally.RowsByProfile.Count;
                    var matched = profiles == 0
                        ? tally.Accepted + tally.Duplicate
                        : await OnlineMatch.CountAsync(tally.RowsByProfile, node, readers, progress("profiles read", profiles), ct);
                    var summary = new ImportSummary(tally.Rows, tally.Accepted, tally.Duplicate, tally.Rejected, matched);
                    return (summary, Notes(tally, rejectedPath, sent, profiles, clock.Elapsed, node.Retries));
                });
                foreach (var note in report) await errors.WriteLineAsync(note);
                await output.WriteLineAsync(summary.ToString());
                return Imported;
            }
            catch (Exception e) when (e is ImportFailedException or FileProblemException)
            {
                await errors.WriteLineAsync($"error: the import stopped: {e.Message}{Environment.NewLine}" +
                    "Rows the node answered are in; run the same command again to finish (they answer duplicate).");
                return Failed;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                await errors.WriteLineAsync("interrupted: rows the node answered are in; run the same command again to finish.");
                return Failed;
            }
        }
    }

    private static IEnumerable<string> Notes(ImportTally tally, string? rejectedPath, TimeSpan sent, int profiles, TimeSpan read, int retries)
    {
        var c = CultureInfo.InvariantCulture;
        yield return string.Create(c,
            $"sent {tally.Rows} rows in {sent.TotalSeconds:0.00} s ({tally.Rows / Math.Max(sent.TotalSeconds, 1e-9):0} rows/s, {retries} retries); " +
            $"read {profiles} profiles in {read.TotalSeconds:0.00} s");
        if (rejectedPath is not null) yield return $"{tally.Rejected} rejected rows, with the reasons, are in {rejectedPath}";
        if (tally.WithIgnoredIdentifiers > 0)
            yield return $"{tally.WithIgnoredIdentifiers} rows landed without an identifier the node found invalid or blocked";
        if (tally.WithRefusedLinks > 0)
            yield return $"{tally.WithRefusedLinks} rows landed with a link an identity rule refused (see the profiles' refusedLinks)";
    }
}
