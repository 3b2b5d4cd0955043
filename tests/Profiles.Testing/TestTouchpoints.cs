using System.Text.Json;
using Profiles.Core.Touchpoints;

namespace Profiles.Testing;

/// <summary>Builds valid touchpoints the way the HTTP layer would, with the hash key of <see cref="TestIdentifiers"/>.</summary>
public static class TestTouchpoints
{
    public static Touchpoint Make(
        string id,
        DateTimeOffset occurredAt,
        string channel,
        string type,
        IEnumerable<(string Type, string Value)> identifiers,
        IEnumerable<(string Name, string? ValueJson)>? traits = null) =>
        new(id, occurredAt, channel, type,
            [.. identifiers.Select(i => TestIdentifiers.Read(i.Type, i.Value))],
            [.. (traits ?? []).Select(t => new TraitWrite(t.Name, t.ValueJson))],
            null);

    /// <summary>The touchpoint the node would make of what a client sent.</summary>
    public static Touchpoint Of(TouchpointSpec spec) =>
        new(spec.Id,
            spec.OccurredAt ?? throw new ArgumentException($"{spec.Id} has no occurredAt: only the node knows its time of receipt."),
            spec.Channel, spec.Type,
            [.. spec.Identifiers.Select(TestIdentifiers.Read)],
            [.. spec.Traits.Select(t => new TraitWrite(t.Name, t.ValueJson))],
            spec.Properties.Count == 0 ? null : $"{{{string.Join(',', spec.Properties.Select(p => $"{JsonSerializer.Serialize(p.Name)}:{p.ValueJson}"))}}}");
}
