using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Profiles.Core.Touchpoints;
using Profiles.Testing;

namespace Profiles.Durability.Tests;

/// <summary>The figures of GET /v1/stats counted apart from the node: from the touchpoints sent, grouped by the
/// customer they belong to, their channels classified by <see cref="ChannelKinds"/> (docs/API.md, "Statistics").</summary>
public sealed record ExpectedStats(
    int Profiles, int Identified, int Online, int Offline, int Omnichannel, int Touchpoints,
    IReadOnlyDictionary<string, (long Profiles, long Touchpoints)> Channels)
{
    public double ReconciliationRate => Offline == 0 ? 0 : Math.Round((double)Omnichannel / Offline, 4);

    public double IdentificationRate => Profiles == 0 ? 0 : Math.Round((double)Identified / Profiles, 4);

    /// <param name="customers">Each surviving customer's touchpoints.</param>
    public static ExpectedStats Of(IReadOnlyList<IReadOnlyList<TouchpointSpec>> customers) => new(
        customers.Count,
        customers.Count(c => c.SelectMany(t => t.Identifiers).Any(i => i.Type is not ("cookie" or "device_id"))),
        customers.Count(c => c.Any(t => ChannelKinds.IsOnline(t.Channel))),
        customers.Count(c => c.Any(t => ChannelKinds.IsOffline(t.Channel))),
        customers.Count(c => c.Any(t => ChannelKinds.IsOnline(t.Channel)) && c.Any(t => ChannelKinds.IsOffline(t.Channel))),
        customers.Sum(c => c.Count),
        customers.SelectMany(c => c.GroupBy(t => t.Channel).Select(g => (Channel: g.Key, Touchpoints: g.Count())))
            .GroupBy(c => c.Channel).ToDictionary(g => g.Key, g => ((long)g.Count(), (long)g.Sum(c => c.Touchpoints))));

    /// <summary>The figures of <paramref name="surviving"/> profiles of a ground truth, from the touchpoints <paramref name="sent"/>.</summary>
    public static ExpectedStats Of(IReadOnlyList<TouchpointSpec> sent, IEnumerable<ExpectedProfile> surviving)
    {
        var byId = sent.ToDictionary(s => s.Id);
        return Of([.. surviving.Select(p => (IReadOnlyList<TouchpointSpec>)[.. p.TouchpointIds.Select(id => byId[id])])]);
    }

    /// <summary>GET /v1/stats on each node answers these figures within 5 s of the last
    /// write (a merge's standings may be reported just after its touchpoint's answer).</summary>
    public async Task AssertAnsweredByAsync(params NodeProcess[] nodes)
    {
        foreach (var node in nodes)
        {
            var deadline = DateTime.UtcNow.AddSeconds(5);
            while (true)
            {
                var (status, stats) = await node.Api.GetAsync("/v1/stats");
                Assert.Equal(HttpStatusCode.OK, status);
                try
                {
                    AssertEqual(stats!);
                    break;
                }
                catch (Xunit.Sdk.XunitException) when (DateTime.UtcNow < deadline)
                {
                    await Task.Delay(250);
                }
            }
        }
    }

    /// <summary>A /v1/stats answer (or a point of its history, or the figures after a recount) holds these figures.</summary>
    public void AssertEqual(JsonNode stats)
    {
        Assert.Equal(
            (Profiles, Identified, Online, Offline, Omnichannel, Touchpoints),
            ((int)stats["profiles"]!, (int)stats["identified"]!, (int)stats["online"]!, (int)stats["offline"]!, (int)stats["omnichannel"]!, (int)stats["touchpoints"]!));
        Assert.Equal(ReconciliationRate, (double)stats["reconciliationRate"]!);
        Assert.Equal(IdentificationRate, (double)stats["identificationRate"]!);
        Assert.Equal(Channels.OrderBy(c => c.Key), stats["channels"]!.AsObject()
            .Select(c => KeyValuePair.Create(c.Key, ((long)c.Value!["profiles"]!, (long)c.Value["touchpoints"]!))).OrderBy(c => c.Key));
    }

    /// <summary>True when the Prometheus text of GET /metrics shows these figures in the statistics gauges.</summary>
    public bool ShownBy(string metrics)
    {
        var gauges = metrics.Split('\n').Where(line => line.StartsWith("profiles_stats_", StringComparison.Ordinal))
            .ToDictionary(line => line[..line.LastIndexOf(' ')], line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
        double Gauge(string name, string? channel = null) =>
            gauges.GetValueOrDefault(channel is null ? $"{name}{{otel_scope_name=\"Profiles.Statistics\"}}" : $"{name}{{otel_scope_name=\"Profiles.Statistics\",channel=\"{channel}\"}}", double.NaN);
        return Gauge("profiles_stats_profiles") == Profiles && Gauge("profiles_stats_identified") == Identified
            && Gauge("profiles_stats_online") == Online && Gauge("profiles_stats_offline") == Offline
            && Gauge("profiles_stats_omnichannel") == Omnichannel && Gauge("profiles_stats_touchpoints") == Touchpoints
            && Gauge("profiles_stats_reconciliation_rate") == ReconciliationRate && Gauge("profiles_stats_identification_rate") == IdentificationRate
            && Channels.All(c => Gauge("profiles_stats_channel_profiles", c.Key) == c.Value.Profiles && Gauge("profiles_stats_channel_touchpoints", c.Key) == c.Value.Touchpoints);
    }
}
