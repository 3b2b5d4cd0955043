using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Profiles.Silo.Operations;

/// <summary>
/// Ingest and lookup latency, in seconds, measured around the endpoint (queueing at the ingest gate
/// included). Labelled with the route template and the status code only: never a raw path, which holds
/// profile ids, nor a query, which holds identifier values.
/// </summary>
public sealed class RequestLatency(RequestDelegate next)
{
    public const string MeterName = "Profiles.Http";
    public const string IngestInstrument = "profiles.ingest.duration";
    public const string LookupInstrument = "profiles.lookup.duration";

    /// <summary>0.5 ms to 5 s: a lookup answered from memory takes a millisecond or two, an ingest into Redis a few.</summary>
    public static readonly double[] Buckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

    private static readonly Meter Meter = new(MeterName);

    private static readonly Histogram<double> Ingest = Meter.CreateHistogram(IngestInstrument, "s",
        "Time to answer POST /v1/touchpoints", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = Buckets });

    private static readonly Histogram<double> Lookup = Meter.CreateHistogram(LookupInstrument, "s",
        "Time to answer a profile lookup (by identifier or by id)", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = Buckets });

    public async Task InvokeAsync(HttpContext context)
    {
        var instrument = InstrumentFor(context, out var route);
        if (instrument is null)
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
            instrument.Record(Stopwatch.GetElapsedTime(start).TotalSeconds,
                new KeyValuePair<string, object?>("route", route),
                new KeyValuePair<string, object?>("status_code", context.Response.StatusCode));
        }
    }

    private static Histogram<double>? InstrumentFor(HttpContext context, out string? route)
    {
        route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;
        if (route is null) return null;
        var method = context.Request.Method;
        if (HttpMethods.IsPost(method) && route == "/v1/touchpoints") return Ingest;
        if (HttpMethods.IsGet(method) && route is "/v1/profiles/lookup" or "/v1/profiles/{profileId}") return Lookup;
        return null;
    }
}
