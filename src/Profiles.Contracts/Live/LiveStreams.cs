namespace Profiles.Contracts.Live;

/// <summary>
/// The Orleans streams live changes ride: one stream per identifier and per profile, named by its key, on a memory
/// stream provider whose queues are grains of the cluster, so a signal reaches a subscriber on any node or an external
/// client through any gateway. Silos and clients must agree on these values.
/// </summary>
public static class LiveStreams
{
    public const string Provider = "profiles-live";

    /// <summary>Few queues: a signal is tiny and rare per stream, and each queue is polled by one agent.</summary>
    public const int Queues = 2;

    public static StreamId Of(LiveTarget target) => StreamId.Create(target.Kind == LiveTargetKind.Identifier ? "identifier" : "profile", target.Key);
}

public enum LiveTargetKind
{
    Identifier,
    Profile,
}

/// <summary>An identifier (by stored key) or a profile (by id) that a watcher follows.</summary>
[GenerateSerializer, Immutable, Alias("Profiles.LiveTarget")]
public sealed record LiveTarget([property: Id(0)] LiveTargetKind Kind, [property: Id(1)] string Key)
{
    public static LiveTarget Of(LiveTargetKind kind, string key) => new(kind, key);

    public static LiveTarget Identifier(string key) => new(LiveTargetKind.Identifier, key);

    public static LiveTarget Profile(string profileId) => new(LiveTargetKind.Profile, profileId);
}

/// <summary>Something changed; carries no data, as a watcher reads the latest state, so a burst of changes reaches it
/// as one current state.</summary>
[GenerateSerializer, Immutable, Alias("Profiles.LiveChange")]
public sealed record LiveChange;
