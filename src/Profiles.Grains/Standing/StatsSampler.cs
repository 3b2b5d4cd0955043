using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Profiles.Grains.Standing;

/// <summary>
/// Samples the cluster-wide figures into the history at the start of every sampling interval (every minute).
/// Every node samples, at the same instants since they are aligned on the clock: the history keeps one sample per
/// instant, and the history goes on while any node is up.
/// </summary>
public sealed class StatsSampler(IStandingStore standings, IStatsHistory history, TimeProvider time, IOptions<StatsOptions> options,
    ILogger<StatsSampler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.SampleInterval;
        try
        {
            while (true)
            {
                var now = time.GetUtcNow();
                var next = new DateTimeOffset(now.UtcTicks - now.UtcTicks % interval.Ticks, TimeSpan.Zero) + interval;
                await Task.Delay(next - now, time, stoppingToken);
                await SampleAsync(next);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task SampleAsync(DateTimeOffset at)
    {
        try
        {
            await history.RecordAsync(new StatsSample(at, await standings.ReadTotalsAsync()));
        }
        catch (Exception e)
        {
            // Storage away: this instant has no sample unless another node took it; the next one is tried as usual.
            logger.LogWarning("No statistics sample for {At:O} ({Reason})", at, e.GetBaseException().GetType().Name);
        }
    }
}
