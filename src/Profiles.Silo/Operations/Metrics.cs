using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Profiles.Grains.Observability;

namespace Profiles.Silo.Operations;

/// <summary>
/// GET /metrics: Prometheus text through OpenTelemetry. Profiles' own meter (touchpoints by result, merges,
/// live subscribers), the cluster-wide statistics (<see cref="StatsGauges"/>), the HTTP latency histograms
/// (<see cref="RequestLatency"/>), and the Orleans instruments an operator watches (activations, storage latency
/// and errors). The other Orleans instruments are dropped,
/// which also spares the per-message hot path their recording.
/// </summary>
public static class Metrics
{
    public const string Path = "/metrics";
    public const string OrleansMeter = "Microsoft.Orleans";

    /// <summary>The Orleans instruments exported, by their Orleans names (Prometheus writes '-' as '_').</summary>
    public static readonly IReadOnlySet<string> OrleansInstruments = new HashSet<string>(StringComparer.Ordinal)
    {
        "orleans-grains",
        "orleans-catalog-activations",
        "orleans-catalog-activation-working-set",
        "orleans-catalog-activation-created",
        "orleans-catalog-activation-destroyed",
        "orleans-catalog-activation-failed-to-activate",
        "orleans-app-requests-timedout",
        "orleans-messaging-rejected",
        "orleans-messaging-expired",
        "orleans-scheduler-long-running-turns",
        "orleans-storage-read-latency",
        "orleans-storage-write-latency",
        "orleans-storage-read-errors",
        "orleans-storage-write-errors",
    };

    public static void AddProfilesMetrics(this IServiceCollection services)
    {
        services.AddSingleton<StatsGauges>();
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("profiles"))
            .WithMetrics(metrics => metrics
                .AddMeter(ProfilesMetrics.MeterName, StatsGauges.MeterName, RequestLatency.MeterName, OrleansMeter)
                .AddView(instrument => instrument.Meter.Name == OrleansMeter && !OrleansInstruments.Contains(instrument.Name)
                    ? MetricStreamConfiguration.Drop
                    : null)
                .AddPrometheusExporter());
    }

    public static void MapProfilesMetrics(this IEndpointRouteBuilder app)
    {
        // Resolved here, not on the first scrape: the gauges exist from start-up, and the refresh below finds them.
        var gauges = app.ServiceProvider.GetRequiredService<StatsGauges>();
        app.MapPrometheusScrapingEndpoint(Path, meterProvider: null, configureBranchedPipeline: scrape => scrape.Use(async (context, next) =>
        {
            await gauges.RefreshAsync(context.RequestAborted);
            await next(context);
        }), optionsName: null);
    }
}
