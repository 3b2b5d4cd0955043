using System.Buffers;
using System.Text.Json;
using Profiles.Contracts;
using Profiles.Core.Segment;
using Profiles.Grains.Observability;
using Profiles.Grains.Resolution;

namespace Profiles.Silo.Http.Segment;

/// <summary>
/// Where Segment events enter: each is written as a touchpoint (<see cref="SegmentEventMapper"/>) and the touchpoints
/// go through <see cref="TouchpointIntake"/>, the very path of <c>POST /v1/touchpoints</c>, so identity rules,
/// erasure, statistics, the feed and live updates treat them alike. An event that cannot be a touchpoint, or whose
/// touchpoint is rejected, is skipped and counted (<see cref="ProfilesMetrics.SegmentEventsSkipped"/>); the others land.
/// </summary>
public sealed class SegmentIntake(SegmentEventMapper mapper, TouchpointIntake intake, ILogger<SegmentIntake> logger)
{
    /// <summary>Maps and ingests <paramref name="events"/>; returns once every touchpoint they became is stored.</summary>
    /// <param name="call">The call the route names, null for a batch (<see cref="SegmentEventMapper.Map"/>).</param>
    public async Task IngestAsync(IReadOnlyList<JsonElement> events, string? call, string channel)
    {
        var buffer = new ArrayBufferWriter<byte>(Math.Clamp(1024 * events.Count, 1024, SegmentPayload.MaxBytes));
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var segmentEvent in events)
            {
                var mapping = mapper.Map(segmentEvent, call, channel, writer);
                if (!mapping.IsWritten) ProfilesMetrics.CountSkippedSegmentEvent(mapping.SkipReason!);
            }
            writer.WriteEndArray();
        }
        using var touchpoints = JsonDocument.Parse(buffer.WrittenMemory);
        JsonElement[] items = [.. touchpoints.RootElement.EnumerateArray()];
        // In the batches /v1/touchpoints takes, so a large Segment batch weighs on the grains as those do.
        foreach (var chunk in items.Chunk(TouchpointBatch.MaxSize))
        {
            foreach (var rejected in (await intake.IngestAsync(chunk)).Where(r => r.Status == TouchpointResult.Rejected))
            {
                ProfilesMetrics.CountSkippedSegmentEvent(SegmentSkipReasons.Invalid);
                logger.LogDebug("Segment event skipped, its touchpoint was rejected: {Error}", rejected.Error);
            }
        }
    }
}
