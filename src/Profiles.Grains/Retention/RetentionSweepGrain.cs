using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Profiles.Grains.Abstractions;
using Profiles.Grains.Calls;
using Profiles.Grains.Journey;
using Profiles.Grains.Resolution;
using Profiles.Grains.Standing;

namespace Profiles.Grains.Retention;

/// <summary>
/// Applies <c>Profiles:Retention</c> to one shard every interval. It reads the shard's indexes for what passed a limit
/// (journeys whose oldest entry is older than <see cref="RetentionOptions.Touchpoints"/>, anonymous profiles last seen
/// longer ago than <see cref="RetentionOptions.AnonymousProfiles"/>) and asks each profile that answers for them to
/// forget it, in the profile's own turn: a profile decides again from its state, so an index a moment behind, or a
/// sweep repeated after a node restart, changes nothing twice. One grain per shard, so the work spreads over the
/// nodes and every write stays on its shard's keys; its timer keeps it active, and <see cref="RetentionSweeps"/> on
/// every node calls it each interval, so a shard whose node left is taken up again within one interval.
/// It calls profiles only, and no grain calls it: it adds no cycle to the call graph.
/// </summary>
public sealed class RetentionSweepGrain(
    IJourneyStore journeys,
    IStandingStore standings,
    ProfileCalls calls,
    ProfileEraser eraser,
    IOptions<RetentionOptions> options,
    TimeProvider time,
    ILogger<RetentionSweepGrain> logger) : Grain, IRetentionSweep
{
    /// <summary>Profiles read from an index at a time.</summary>
    private const int Batch = 500;

    /// <summary>Profiles asked at once, so a first sweep over years of journeys does not flood the node.</summary>
    private const int InFlight = 8;

    private int Shard => (int)this.GetPrimaryKeyLong();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // At once on activation: a shard taken up after its node left has waited long enough.
        this.RegisterGrainTimer(SweepOnTimerAsync, new GrainTimerCreationOptions(TimeSpan.Zero, options.Value.Interval) { KeepAlive = true });
        return Task.CompletedTask;
    }

    public Task Keep() => Task.CompletedTask;

    public async Task<RetentionSwept> Sweep()
    {
        var now = time.GetUtcNow();
        var swept = options.Value.Touchpoints is { } keep ? await RemoveContentAsync(now - keep) : 0;
        var erased = options.Value.AnonymousProfiles is { } keepAnonymous ? await EraseAnonymousAsync(now - keepAnonymous) : 0;
        return new RetentionSwept(swept, erased);
    }

    private async Task SweepOnTimerAsync(CancellationToken cancellationToken)
    {
        try
        {
            var swept = await Sweep();
            if (swept.Journeys + swept.ErasedProfiles > 0)
            {
                logger.LogInformation("Retention of shard {Shard}: old touchpoints' content removed from {Journeys} journeys, {Erased} anonymous profiles erased",
                    Shard, swept.Journeys, swept.ErasedProfiles);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Storage away, or a profile held past the call budget: the index still names them, and the next round takes them.
            logger.LogWarning("Retention of shard {Shard} stopped ({Reason}); trying again in {Interval}", Shard, e.GetBaseException().GetType().Name, options.Value.Interval);
        }
    }

    private Task<int> RemoveContentAsync(DateTimeOffset before) =>
        ForEachDueAsync(() => journeys.HoldingEntriesBeforeAsync(Shard, before, Batch), async profileId =>
        {
            var reply = await calls.CallAsync(profileId, (IProfileRetention profile) => profile.RemoveContentBefore(before));
            return reply.IsDone;
        });

    private Task<int> EraseAnonymousAsync(DateTimeOffset lastSeenBefore) =>
        ForEachDueAsync(() => standings.AnonymousLastSeenBeforeAsync(Shard, lastSeenBefore, Batch),
            profileId => eraser.EraseIfAnonymousAsync(profileId, lastSeenBefore));

    /// <summary>Reads what an index says is due, a batch at a time, until a batch names no profile asked before: what a
    /// profile handled leaves the index (or moves on in it), and one it declined stays for the next interval.</summary>
    private static async Task<int> ForEachDueAsync(Func<Task<IReadOnlyList<string>>> due, Func<string, Task<bool>> handle)
    {
        var asked = new HashSet<string>(StringComparer.Ordinal);
        var handled = 0;
        // The grain's own scheduler: the calls leave from the grain's turn, as any grain call does.
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = InFlight, TaskScheduler = TaskScheduler.Current };
        while (true)
        {
            string[] batch = [.. (await due()).Where(asked.Add)];
            if (batch.Length == 0) return handled;
            await Parallel.ForEachAsync(batch, parallel, async (profileId, _) =>
            {
                if (await handle(profileId)) Interlocked.Increment(ref handled);
            });
        }
    }
}
