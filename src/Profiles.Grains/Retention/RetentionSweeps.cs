using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Profiles.Grains.Abstractions;
using Profiles.Grains.Storage;

namespace Profiles.Grains.Retention;

/// <summary>
/// Keeps every shard's <see cref="RetentionSweepGrain"/> running while retention is configured: every node calls each
/// of them once an interval (one-way), which activates, on some node, those whose node left. The grains do the work;
/// this only makes sure that a restart or a lost node skips no shard for longer than an interval.
/// </summary>
public sealed class RetentionSweeps(IGrainFactory grains, IOptions<RetentionOptions> options, TimeProvider time, ILogger<RetentionSweeps> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var retention = options.Value;
        if (retention.Touchpoints is null && retention.AnonymousProfiles is null) return;
        using var timer = new PeriodicTimer(retention.Interval, time);
        do
        {
            try
            {
                foreach (var shard in Shards.All) await grains.GetGrain<IRetentionSweep>(shard).Keep();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The node is starting or leaving: the next tick, or another node, keeps the sweeps running.
                logger.LogWarning("Keeping the retention sweeps running failed ({Reason}); trying again in {Interval}", e.GetBaseException().GetType().Name, retention.Interval);
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
