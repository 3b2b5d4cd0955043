using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Profiles.Grains.Abstractions;

namespace Profiles.Grains.Standing;

/// <summary>How often a node looks for profiles whose audiences the date alone may have changed.</summary>
public sealed class AudienceRecheckOptions
{
    public const string Section = "Profiles:AudienceRecheck";

    /// <summary>Well inside the hour within which member lists and counts must follow the date.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(10);
}

/// <summary>
/// Moves profiles in and out of audiences when a window moves past their touchpoints (a profile leaves "bought
/// in the last 30 days" on day 31 with no new touchpoint). A profile reports, with its standing, the first day
/// this can happen to it; this service asks the index for the profiles due and has each work out its standing
/// again. Idle profiles whose windows hold nothing are never touched, and no profile carries a timer. Every node
/// runs it: a profile refreshed twice reports nothing the second time.
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

    /// <summary>Refreshes every profile due today; returns how many.</summary>
    public async Task<int> RecheckDueAsync(CancellationToken cancellationToken = default)
    {
        var due = await standings.DueForRecheckAsync(DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime));
        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = InFlight, CancellationToken = cancellationToken },
            async (profileId, _) => await grains.ByKey<IProfileRecheck>(profileId).RefreshStanding());
        return due.Count;
    }
}
