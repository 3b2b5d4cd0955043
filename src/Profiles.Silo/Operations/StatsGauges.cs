using System.Diagnostics.Metrics;
using Profiles.Core.Consent;
using Profiles.Grains.Standing;
using Profiles.Silo.Http;

namespace Profiles.Silo.Operations;

/// <summary>
/// The figures of GET /v1/stats as Prometheus gauges, cluster-wide: every node exports the same values (read from
/// the standing store), so a dashboard takes them from any one node, or the max over nodes, never the sum. A scrape
/// refreshes them first (<see cref="RefreshAsync"/>) unless they were read less than <see cref="CacheFor"/> ago,
/// so scrapes in quick succession, from several Prometheus servers or a curl loop, cost the 64 shard reads once.
/// </summary>
public sealed class StatsGauges : IDisposable
{
    public const string MeterName = "Profiles.Statistics";

    /// <summary>Within the 5 s every figure of the statistics is exact in.</summary>
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);

    private readonly Meter _meter;
    private readonly IStandingStore _standings;
    private readonly ConsentPurposes _purposes;
    private readonly TimeProvider _time;
    private readonly ILogger<StatsGauges> _logger;
    private readonly SemaphoreSlim _reading = new(1, 1);
    private StatsResponse? _last;

    public StatsGauges(IMeterFactory meters, IStandingStore standings, ConsentPurposes purposes, TimeProvider time, ILogger<StatsGauges> logger)
    {
        (_meter, _standings, _purposes, _time, _logger) = (meters.Create(MeterName), standings, purposes, time, logger);
        Gauge("profiles.stats.profiles", "Surviving profiles", s => s.Profiles);
        Gauge("profiles.stats.identified", "Profiles holding an identifier other than a cookie or a device id", s => s.Identified);
        Gauge("profiles.stats.online", "Profiles with a touchpoint on an online channel", s => s.Online);
        Gauge("profiles.stats.offline", "Profiles with a touchpoint on an offline channel", s => s.Offline);
        Gauge("profiles.stats.omnichannel", "Profiles seen both online and offline", s => s.Omnichannel);
        Gauge("profiles.stats.touchpoints", "Touchpoints of surviving profiles", s => s.Touchpoints);
        Gauge("profiles.stats.reconciliation_rate", "Omnichannel over offline profiles", s => s.ReconciliationRate);
        Gauge("profiles.stats.identification_rate", "Identified over all profiles", s => s.IdentificationRate);
        PerChannel("profiles.stats.channel.profiles", "Profiles with a touchpoint on the channel", c => c.Profiles);
        PerChannel("profiles.stats.channel.touchpoints", "Touchpoints on the channel", c => c.Touchpoints);
        _meter.CreateObservableGauge("profiles.stats.consent.granted",
            () => _last?.Consent.Select(c => new Measurement<long>(c.Value.Granted, new KeyValuePair<string, object?>("purpose", c.Key))) ?? [],
            description: "Profiles whose purpose-wide status of the purpose is granted");
    }

    /// <summary>Reads the figures unless they are fresh. A failed read (storage away) leaves the last figures, and
    /// the scrape goes on: the node's other metrics matter most exactly then.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        if (IsFresh) return;
        await _reading.WaitAsync(cancellationToken);
        try
        {
            if (IsFresh) return;
            _last = StatsResponse.From(await _standings.ReadTotalsAsync(), _purposes, _time.GetUtcNow());
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogWarning("The statistics gauges keep their last values: reading them failed ({Reason})", e.GetBaseException().GetType().Name);
        }
        finally
        {
            _reading.Release();
        }
    }

    public void Dispose()
    {
        _meter.Dispose();
        _reading.Dispose();
    }

    private bool IsFresh => _last is { } last && _time.GetUtcNow() - last.AsOf < CacheFor;

    private void Gauge<T>(string name, string description, Func<StatsResponse, T> figure) where T : struct =>
        _meter.CreateObservableGauge(name, () => _last is { } last ? [new Measurement<T>(figure(last))] : Array.Empty<Measurement<T>>(), description: description);

    private void PerChannel(string name, string description, Func<ChannelTotals, long> figure) =>
        _meter.CreateObservableGauge(name, () => _last?.Channels.Select(c => new Measurement<long>(figure(c.Value), new KeyValuePair<string, object?>("channel", c.Key)))
            ?? [], description: description);
}
