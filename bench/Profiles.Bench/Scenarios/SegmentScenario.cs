using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Profiles.Core.Segment;

namespace Profiles.Bench.Scenarios;

/// <summary>
/// What the Segment Spec door costs against <c>POST /v1/touchpoints</c>: populations of one shape, their touchpoints
/// written as Segment events (a page view as <c>page</c>, anything else as a <c>track</c> named by its type; the
/// cookie or device as <c>anonymousId</c>, the CRM id as <c>userId</c>, the e-mail and phone in <c>context.traits</c>;
/// a loyalty card or app user id has no place in a Segment event), sent to <c>/v1/batch</c>, and the very touchpoints those events become (written by the
/// node's own mapping) sent to <c>/v1/touchpoints</c>. The two doors take turns, twice each, on fresh customers of
/// the same size, so warming and growth weigh on both alike. The figure is the node's CPU per event; the door is
/// meant to cost at most 10% more than a touchpoint.
/// </summary>
public static class SegmentScenario
{
    private const string Phase = "segment";
    private const double MaxExtraCost = 1.10;

    private enum Door { Touchpoints, Batch }

    public static async Task RunAsync(BenchContext ctx, CancellationToken ct)
    {
        var o = ctx.Options;
        var batch = o.BatchSizes[0];
        var perTurn = Math.Max(1, o.Customers / 2);
        var mapper = new SegmentEventMapper(SegmentSettings.Unconfigured);
        var spent = new Dictionary<Door, (double Cpu, double Seconds, long Events)> { [Door.Touchpoints] = default, [Door.Batch] = default };
        var skippedBefore = await NodeMetrics.SegmentEventsSkippedAsync(ctx.Reads, ct).ConfigureAwait(false) ?? 0;
        foreach (var door in (Door[])[Door.Touchpoints, Door.Batch, Door.Touchpoints, Door.Batch])
        {
            var pop = RetailPopulation.Generate(o.Seed, ctx.NextCustomer, perTurn, ctx.Anchor);
            ctx.NextCustomer += perTurn;
            var events = pop.Touchpoints.Select(SegmentEventOf).OfType<JsonObject>().ToArray();
            new Random(o.Seed * 17 + ctx.NextCustomer).Shuffle(events);
            var bodies = events.Chunk(batch).Select(chunk => door == Door.Batch ? BatchBody(chunk) : TouchpointsBody(chunk, mapper)).ToArray();

            Ui.Info($"[{Phase}] {events.Length:N0} events of {perTurn:N0} customers to {PathOf(door)}, in batches of {batch}");
            var meter = ctx.Meter();
            var started = Stopwatch.GetTimestamp();
            var failures = await SendAllAsync(ctx, door, bodies, o.Writers, ct).ConfigureAwait(false);
            var usage = meter.Stop();
            foreach (var failure in failures.Take(5)) ctx.Report.Problem($"{Phase}: {PathOf(door)}: {failure}");
            if (failures.Count > 0) ctx.Failed = true;
            var (cpu, seconds, count) = spent[door];
            spent[door] = (cpu + (usage.NodeCpuSeconds ?? double.NaN), seconds + Clock.Seconds(started), count + events.Length);
        }

        foreach (var (door, (cpu, seconds, count)) in spent)
        {
            ctx.Report.Add(Phase, $"ingest rate {PathOf(door)}", count / seconds, "events/s", note: $"{count:N0} events, {o.Writers} writers, batch {batch}");
            ctx.Report.Add(Phase, $"node CPU per event {PathOf(door)}", cpu * 1e6 / count, "µs",
                note: double.IsNaN(cpu) ? "n/a: no --node-pid" : $"{cpu:0.#} s of node CPU over two turns");
        }
        var skipped = (await NodeMetrics.SegmentEventsSkippedAsync(ctx.Reads, ct).ConfigureAwait(false) ?? 0) - skippedBefore;
        ctx.Report.Add(Phase, "Segment events skipped", skipped, "", target: "0", met: skipped == 0, note: "profiles_segment_events_skipped_total over the scenario");
        if (skipped > 0) ctx.Failed = true;
        var touchpoint = spent[Door.Touchpoints].Cpu / spent[Door.Touchpoints].Events;
        var segment = spent[Door.Batch].Cpu / spent[Door.Batch].Events;
        ctx.Report.AddAtMost(Phase, "node CPU per event, /v1/batch over /v1/touchpoints", segment / touchpoint, "x", MaxExtraCost,
            note: "the same touchpoints through the Segment door and through the touchpoint door");
    }

    private static string PathOf(Door door) => door == Door.Batch ? "/v1/batch" : "/v1/touchpoints";

    /// <summary>The touchpoint as an analytics library would have sent it; null when it has nothing a Segment event
    /// carries as an identifier (hashed identifiers only).</summary>
    private static JsonObject? SegmentEventOf(TouchpointSpec touchpoint)
    {
        string? Value(params string[] types) => touchpoint.Identifiers.FirstOrDefault(i => types.Contains(i.Type) && i.Value is not null)?.Value;
        var anonymousId = Value("cookie", "device_id");
        // One user id per customer: the CRM's. Its loyalty card as a second user id would meet the shipped limit of one
        // customer id per profile, and the run would measure identity-rule refusals instead of a door.
        var userId = Value("crm_id");
        var traits = new JsonObject();
        if (Value("email") is { } email) traits["email"] = email;
        if (Value("phone") is { } phone) traits["phone"] = phone;
        if (anonymousId is null && userId is null && traits.Count == 0) return null;
        foreach (var trait in touchpoint.Traits) traits[trait.Name] = JsonNode.Parse(trait.ValueJson);
        var page = touchpoint.Type == "page_view";
        var properties = new JsonObject();
        foreach (var property in touchpoint.Properties) properties[property.Name] = JsonNode.Parse(property.ValueJson);
        return new JsonObject
        {
            ["type"] = page ? "page" : "track",
            ["event"] = page ? null : touchpoint.Type,
            ["messageId"] = touchpoint.Id,
            ["timestamp"] = touchpoint.OccurredAt?.ToString("O"),
            ["anonymousId"] = anonymousId,
            ["userId"] = userId,
            ["properties"] = properties,
            ["context"] = new JsonObject { ["traits"] = traits, ["library"] = new JsonObject { ["name"] = "analytics-node", ["version"] = "3.1.0" } },
        };
    }

    private static byte[] BatchBody(JsonObject[] events)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("batch");
            foreach (var segmentEvent in events) segmentEvent.WriteTo(writer);
            writer.WriteEndArray();
            writer.WriteString("sentAt", DateTimeOffset.UtcNow);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The touchpoints the node makes of <paramref name="events"/>, with its own mapping.</summary>
    private static byte[] TouchpointsBody(JsonObject[] events, SegmentEventMapper mapper)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var segmentEvent in events)
            {
                using var parsed = JsonDocument.Parse(segmentEvent.ToJsonString());
                mapper.Map(parsed.RootElement, null, "web", writer);
            }
            writer.WriteEndArray();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <returns>Why requests failed, if any did.</returns>
    private static async Task<List<string>> SendAllAsync(BenchContext ctx, Door door, byte[][] bodies, int writers, CancellationToken ct)
    {
        var failures = new List<string>();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Math.Max(1, writers)).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref next) is var i && i < bodies.Length)
            {
                var failure = await SendAsync(ctx.Writes.Next(), door, bodies[i], ct).ConfigureAwait(false);
                if (failure is not null) lock (failures) failures.Add(failure);
            }
        }, ct))).ConfigureAwait(false);
        return failures;
    }

    /// <summary>Sends one body, again after a 503 as libraries do (up to three times); null once it is taken.</summary>
    private static async Task<string?> SendAsync(Contracts.Http.ProfilesHttpClient node, Door door, byte[] body, CancellationToken ct)
    {
        string? failure = null;
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            failure = await SendOnceAsync(node, door, body, ct).ConfigureAwait(false);
            if (failure is null || !failure.Contains("503", StringComparison.Ordinal)) return failure;
            await Task.Delay(200 * attempt, ct).ConfigureAwait(false);
        }
        return failure;
    }

    private static async Task<string?> SendOnceAsync(Contracts.Http.ProfilesHttpClient node, Door door, byte[] body, CancellationToken ct)
    {
        if (door == Door.Touchpoints)
        {
            var answer = await node.IngestAsync(body, ct).ConfigureAwait(false);
            if (!answer.Succeeded) return ProfileReport.Refusal(answer);
            return answer.Value.FirstOrDefault(r => r.Status == Contracts.TouchpointResult.Rejected)?.Error;
        }
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");
        using var response = await node.Http.PostAsync("v1/batch", content, ct).ConfigureAwait(false);
        return response.StatusCode == HttpStatusCode.OK ? null : $"HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false)}";
    }
}
