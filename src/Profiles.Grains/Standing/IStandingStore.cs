using Profiles.Grains.Changes;

namespace Profiles.Grains.Standing;

/// <summary>
/// Where the cluster-wide figures are read: statistics and audience membership (docs/API.md, "Statistics";
/// docs/PERSONALISATION.md), kept exact without scanning profiles because every profile reports its standing with
/// each change (<see cref="Writes.ProfileWriter.ReportAsync"/>).
/// </summary>
public interface IStandingStore
{
    /// <summary>The figures over every surviving profile: the sum of every shard.</summary>
    Task<StandingTotals> ReadTotalsAsync();

    /// <summary>How many profiles belong to each of the audiences.</summary>
    Task<IReadOnlyDictionary<string, long>> CountAudiencesAsync(IReadOnlyList<string> audiences);

    /// <summary>A page of an audience's members, after <paramref name="cursor"/> (null: from the start).</summary>
    Task<AudiencePage> ReadAudienceAsync(string audience, string? cursor, int limit);

    /// <summary>Profiles whose audiences or consent may have changed with time alone by <paramref name="now"/>.</summary>
    Task<IReadOnlyList<string>> DueForRecheckAsync(DateTimeOffset now);

    /// <summary>Up to <paramref name="limit"/> profiles of the shard holding only anonymous identifiers, last seen
    /// before <paramref name="before"/> (the retention of anonymous profiles).</summary>
    Task<IReadOnlyList<string>> AnonymousLastSeenBeforeAsync(int shard, DateTimeOffset before, int limit);

    /// <summary>Adds up the stored standings of every shard again, each shard in one atomic step (reports wait),
    /// and replaces the counters of a shard that disagree with them: the operator's repair when in doubt.</summary>
    Task<StandingRecount> RecountAsync();
}

/// <param name="Standings">The stored standings added up: the surviving profiles.</param>
/// <param name="Corrections">The counters that disagreed with them, now replaced; empty when every one agreed.</param>
public sealed record StandingRecount(long Standings, IReadOnlyList<CounterCorrection> Corrections);

/// <summary>A shard's counter (a name <see cref="StandingTotals.From"/> reads) that held <paramref name="Was"/>
/// where its shard's standings add up to <paramref name="Now"/>.</summary>
public sealed record CounterCorrection(int Shard, string Counter, long Was, long Now)
{
    /// <summary>The figure of GET /v1/stats the counter is part of: <c>touchpoints</c>, <c>channels.web.profiles</c>,
    /// <c>consent.marketing.granted</c>...</summary>
    public string Figure => Counter.Split(':') switch
    {
        ["c", var channel, var kind] => $"channels.{channel}.{(kind == "p" ? "profiles" : "touchpoints")}",
        ["consent", var purpose, var kind] => $"consent.{purpose}.{(kind == "g" ? "granted" : "decided")}",
        _ => Counter,
    };
}

/// <summary>The statistics counters summed over surviving profiles.</summary>
/// <remarks>A sample of the statistics history is stored as this record's JSON: a sample taken before consent counts
/// existed reads with none.</remarks>
public sealed record StandingTotals(
    long Profiles,
    long Identified,
    long Online,
    long Offline,
    long Omnichannel,
    long Touchpoints,
    IReadOnlyDictionary<string, ChannelTotals> Channels)
{
    /// <summary>Per consent purpose, the profiles whose decisions give its purpose-wide status, and those of them granted.</summary>
    public IReadOnlyDictionary<string, ConsentTotals> Consent { get; init; } = new Dictionary<string, ConsentTotals>(StringComparer.Ordinal);

    public static StandingTotals From(IEnumerable<KeyValuePair<string, long>> counters)
    {
        var sums = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (field, value) in counters) sums[field] = sums.GetValueOrDefault(field) + value;
        var channels = new SortedDictionary<string, ChannelTotals>(StringComparer.Ordinal);
        foreach (var (field, value) in sums.Where(s => s.Key.StartsWith("c:", StringComparison.Ordinal)))
        {
            var parts = field.Split(':');
            var channel = channels.GetValueOrDefault(parts[1]) ?? new ChannelTotals(0, 0);
            channels[parts[1]] = parts[2] == "p" ? channel with { Profiles = value } : channel with { Touchpoints = value };
        }
        var consent = new SortedDictionary<string, ConsentTotals>(StringComparer.Ordinal);
        foreach (var (field, value) in sums.Where(s => s.Key.StartsWith("consent:", StringComparison.Ordinal)))
        {
            var parts = field.Split(':');
            var purpose = consent.GetValueOrDefault(parts[1]) ?? new ConsentTotals(0, 0);
            consent[parts[1]] = parts[2] == "g" ? purpose with { Granted = value } : purpose with { Decided = value };
        }
        return new StandingTotals(sums.GetValueOrDefault("profiles"), sums.GetValueOrDefault("identified"), sums.GetValueOrDefault("online"),
            sums.GetValueOrDefault("offline"), sums.GetValueOrDefault("omnichannel"), sums.GetValueOrDefault("touchpoints"),
            channels.Where(c => c.Value.Profiles > 0).ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal))
        {
            Consent = consent.ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal),
        };
    }
}

public sealed record ChannelTotals(long Profiles, long Touchpoints);

/// <param name="Decided">Surviving profiles whose decisions give the purpose-wide status (the others have the default).</param>
/// <param name="Granted">Those of them whose purpose-wide status is granted.</param>
public sealed record ConsentTotals(long Decided, long Granted)
{
    /// <summary>The surviving profiles whose purpose-wide status is granted, out of <paramref name="profiles"/>: those
    /// decided so, and while the purpose is granted by default, every profile without a decision.</summary>
    public long GrantedOf(long profiles, bool grantedByDefault) => Granted + (grantedByDefault ? profiles - Decided : 0);
}

/// <summary>A page of audience members, in a fixed order; <see cref="NextCursor"/> null on the last page.</summary>
public sealed record AudiencePage(IReadOnlyList<string> Members, string? NextCursor);
