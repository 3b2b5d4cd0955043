using Profiles.Contracts;

namespace Profiles.Testing;

/// <summary>A touchpoint as a client sends it, in clear: what <see cref="TouchpointJson"/> writes.</summary>
public sealed class TouchpointSpec
{
    public required string Id { get; init; }

    /// <summary>Null: left out, so the node uses the time of receipt.</summary>
    public DateTimeOffset? OccurredAt { get; init; }

    public required string Channel { get; init; }

    public required string Type { get; init; }

    public required IReadOnlyList<IdentifierInput> Identifiers { get; init; }

    public IReadOnlyList<JsonField> Traits { get; init; } = [];

    public IReadOnlyList<JsonField> Properties { get; init; } = [];
}
