using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Profiles.Silo.Operations;

/// <summary>
/// Times the answers of every endpoint that names a <see cref="LatencyHistogram"/> in its metadata, measured around
/// the endpoint (queueing at the ingest gate included). Labelled with the route template and the status code only:
/// never a raw path, which holds profile ids, nor a query, which holds identifier values.
/// </summary>
public sealed class RequestLatency(RequestDelegate next)
{
    public const string MeterName = "Profiles.Http";

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint() is not RouteEndpoint { RoutePattern.RawText: { } route } endpoint ||
            endpoint.Metadata.GetMetadata<LatencyHistogram>() is not { } histogram)
        {
            await next(context);
            return;
        }
        var start = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            histogram.Record(Stopwatch.GetElapsedTime(start), route, context.Response.StatusCode);
        }
    }
}

/// <summary>
/// Endpoint metadata: the latency histogram, in seconds, that an endpoint's answers are recorded into
/// (<c>.WithMetadata(LatencyHistogram.Lookup)</c>), so the metric goes wherever the route goes.
/// </summary>
public sealed class LatencyHistogram
{
    private static readonly Meter Meter = new(RequestLatency.MeterName);

    /// <summary>0.5 ms to 5 s: a lookup answered from memory takes a millisecond or two, an ingest into Redis a few.
    /// They travel as the instrument's advice, which the exporter follows.</summary>
    private static readonly double[] Buckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

    public static readonly LatencyHistogram Ingest = new("profiles.ingest.duration", "Time to answer a batch of touchpoints");
    public static readonly LatencyHistogram Lookup = new("profiles.lookup.duration", "Time to answer a profile lookup (by identifier or by id)");

    private readonly Histogram<double> _histogram;

    private LatencyHistogram(string name, string description) =>
        _histogram = Meter.CreateHistogram(name, "s", description, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = Buckets });

    public void Record(TimeSpan elapsed, string route, int statusCode) =>
        _histogram.Record(elapsed.TotalSeconds,
            new KeyValuePair<string, object?>("route", route),
            new KeyValuePair<string, object?>("status_code", statusCode));
}
