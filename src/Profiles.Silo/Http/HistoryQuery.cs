using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Profiles.Grains.Standing;

namespace Profiles.Silo.Http;

/// <summary>The query of GET /v1/stats/history, read and checked; a refusal names the parameter at fault.</summary>
public sealed record HistoryQuery(DateTimeOffset From, DateTimeOffset To, HistoryStep Step)
{
    /// <summary>What a dashboard shows first: the last day, minute by minute.</summary>
    public static readonly TimeSpan DefaultRange = TimeSpan.FromHours(24);

    private static readonly string[] Formats = ["yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd"];

    /// <param name="now">The default <c>to</c>; <c>from</c> defaults to <see cref="DefaultRange"/> before <c>to</c>.</param>
    public static bool TryRead(string? from, string? to, string? step, DateTimeOffset now,
        [NotNullWhen(true)] out HistoryQuery? query, out string problem)
    {
        query = null;
        if (!HistoryStep.TryParse(step, out var picked))
        {
            problem = $"step: must be {HistoryStep.Minute.Name} or {HistoryStep.Hour.Name}.";
            return false;
        }
        if (!TryTime("to", to, now, out var end, out problem) || !TryTime("from", from, end - DefaultRange, out var start, out problem)) return false;
        if (start > end)
        {
            problem = "from: is after to.";
            return false;
        }
        if (end - start > StatsOptions.Retention)
        {
            problem = $"from: is more than {StatsOptions.Retention.TotalDays:0} days before to; the history keeps {StatsOptions.Retention.TotalDays:0} days.";
            return false;
        }
        query = new HistoryQuery(start, end, picked);
        return true;
    }

    private static bool TryTime(string field, string? text, DateTimeOffset absent, out DateTimeOffset value, out string problem)
    {
        problem = "";
        value = absent;
        if (text is null) return true;
        if (DateTimeOffset.TryParseExact(text, Formats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value)) return true;
        problem = $"{field}: is not an ISO-8601 date and time such as 2026-11-20T18:00:00Z (in a URL, write the + of an offset as %2B).";
        return false;
    }
}

/// <summary>
/// How many samples a history read answers. <see cref="Minute"/>: every sample (one a minute). <see cref="Hour"/>: the
/// last sample of each UTC hour, the figures as the hour ended: they are levels (customers, rates), not flows, so
/// a mean of an hour's samples would describe no moment and a mean of rates would not be the rate of the means.
/// </summary>
public sealed class HistoryStep
{
    public static readonly HistoryStep Minute = new("minute", samples => samples);

    public static readonly HistoryStep Hour = new("hour", samples => [.. samples.GroupBy(s => s.At.UtcTicks / TimeSpan.TicksPerHour).Select(hour => hour.Last())]);

    private readonly Func<IReadOnlyList<StatsSample>, IReadOnlyList<StatsSample>> _pick;

    private HistoryStep(string name, Func<IReadOnlyList<StatsSample>, IReadOnlyList<StatsSample>> pick) => (Name, _pick) = (name, pick);

    public string Name { get; }

    /// <summary>The samples this step answers, from samples oldest first.</summary>
    public IReadOnlyList<StatsSample> Pick(IReadOnlyList<StatsSample> samples) => _pick(samples);

    /// <summary>Absent: <see cref="Minute"/>.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out HistoryStep? step)
    {
        step = text switch
        {
            null or "minute" => Minute,
            "hour" => Hour,
            _ => null,
        };
        return step is not null;
    }
}
