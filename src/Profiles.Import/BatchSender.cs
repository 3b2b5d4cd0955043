using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Profiles.Contracts;

namespace Profiles.Import;

/// <summary>
/// Reads the file on one thread into batches and sends them on <c>parallel</c> requests at once; every row ends
/// in the tally as accepted, duplicate or rejected.
/// </summary>
public static class BatchSender
{
    /// <param name="progress">Called with the number of rows each time some are done, from any thread.</param>
    /// <exception cref="ImportFailedException">The node refused a batch or stayed unreachable.</exception>
    /// <exception cref="FileProblemException">The file could not be read to its end.</exception>
    public static async Task<ImportTally> SendAsync(CrmFile file, TouchpointWriter writer, RetryingNode node, int parallel,
        Action<long> progress, CancellationToken ct)
    {
        var tally = new ImportTally();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // A few batches ready ahead keep every request slot busy, without reading the whole file into memory.
        var batches = Channel.CreateBounded<Batch>(new BoundedChannelOptions(parallel * 2) { SingleWriter = true });

        var reader = Task.Run(async () =>
        {
            try
            {
                var rejected = (CrmRow row, string reason) =>
                {
                    tally.Reject(row, reason);
                    progress(1);
                };
                foreach (var batch in TouchpointBatches.Read(file, writer, rejected))
                    await batches.Writer.WriteAsync(batch, stop.Token);
                batches.Writer.Complete();
            }
            catch (Exception e)
            {
                batches.Writer.Complete(e);
                throw;
            }
        }, CancellationToken.None);
        var senders = Enumerable.Range(0, parallel).Select(_ => Task.Run(async () =>
        {
            try
            {
                await foreach (var batch in batches.Reader.ReadAllAsync(stop.Token))
                {
                    var results = await node.PostTouchpointsAsync(batch.Body, batch.Rows.Count, stop.Token);
                    Record(batch, results, writer, tally);
                    progress(batch.Rows.Count);
                }
            }
            catch
            {
                // One failure ends the import: the other senders and the reader stop instead of carrying on.
                await stop.CancelAsync();
                throw;
            }
        }, CancellationToken.None)).ToList();

        await WhenAllTellingTheCause([reader, .. senders]);
        return tally;
    }

    private static void Record(Batch batch, TouchpointResult[] results, TouchpointWriter writer, ImportTally tally)
    {
        for (var i = 0; i < results.Length; i++)
        {
            var (row, content) = batch.Rows[i];
            var result = results[i];
            if (result.Status is TouchpointResult.Accepted or TouchpointResult.Duplicate && result.ProfileId is not null)
                tally.Land(result);
            else
                tally.Reject(row, writer.Explain(content, result.Error ?? $"the node answered {result.Status}"));
        }
    }

    // One failure cancels the other tasks; their cancellations must not hide the failure that caused them.
    private static async Task WhenAllTellingTheCause(List<Task> tasks)
    {
        try
        {
            await Task.WhenAll(tasks);
        }
        catch (OperationCanceledException)
        {
            var cause = tasks.Where(t => t.IsFaulted).SelectMany(t => t.Exception!.InnerExceptions)
                .FirstOrDefault(e => e is not OperationCanceledException);
            if (cause is not null) ExceptionDispatchInfo.Throw(cause);
            throw;
        }
    }
}
