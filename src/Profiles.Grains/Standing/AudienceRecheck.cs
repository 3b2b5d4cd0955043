using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Profiles.Grains.Abstractions;

namespace Profiles.Grains.Standing;

/// <summary>How often a node looks for profiles whose audiences or consent time alone may have changed.</summary>
public sealed class AudienceRecheckOptions
{
    public const string Section = "Profiles:AudienceRecheck";

    /// <summary>Well inside the hour within which member lists, counts and the feed must follow the date and expiries.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(10);
}

/// <summary>
/// Moves profiles in and out of audiences when a window moves past their touchpoints (a profile leaves "bought
/// in the last 30 days" on day 31 with no new touchpoint), and announces a consent grant that expired (its
/// <c>consent</c> change, its audiences for the purpose, its count). A profile reports, with its standing, the first
/// moment this can happen to it; this service asks the index for the profiles due and has each work out its standing
/// again. Idle profiles whose windows and grants hold nothing ahead are never touched, and no profile carries a timer.
/// Every node runs it: a profile refreshed twice changes nothing the second time.
/// </summary>
public sealed class AudienceRecheck(IStandingStore standings, IGrainFactory grains, TimeProvider time, IOptions<AudienceRecheckOptions> options,
    ILogger<AudienceRecheck> logger) : BackgroundService
{
    /// <summary>Profiles refreshed at once, so a midnight wave does not flood the node.</summary>
    private const int InFlight = 16;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Interval, time);
        do
        {
            try
            {
                await RecheckDueAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Storage away or a node leaving: the next round tries again.
                logger.LogWarning("Audience recheck failed ({Reason}); trying again in {Interval}", e.GetBaseException().GetType().Name, options.Value.Interval);
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Refreshes every profile due by now; returns how many.</summary>
    public async Task<int> RecheckDueAsync(CancellationToken cancellationToken = default)
    {
        var due = await standings.DueForRecheckAsync(time.GetUtcNow());
        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = InFlight, CancellationToken = cancellationToken },
            async (profileId, _) => await grains.ByKey<IProfileRecheck>(profileId).RefreshStanding());
        return due.Count;
    }
}
