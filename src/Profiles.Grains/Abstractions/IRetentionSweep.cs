namespace Profiles.Grains.Abstractions;

/// <summary>The retention of one shard (the grain's key, 0 to <see cref="Storage.Shards.Count"/> - 1): one activation in
/// the cluster, so nodes neither share nor repeat a shard's work.</summary>
[Alias("IRetentionSweep")]
public interface IRetentionSweep : IGrainWithIntegerKey
{
    /// <summary>Keeps the shard's sweep running: a call activates it where it is not (its node left), and its timer
    /// sweeps every <c>Profiles:Retention:Interval</c> from then on.</summary>
    [OneWay, Alias("Keep")]
    Task Keep();

    /// <summary>Applies the shard's retention now (as the timer does), and says what it did.</summary>
    [Alias("Sweep")]
    Task<RetentionSwept> Sweep();
}

/// <param name="Journeys">Journeys whose profile took old touchpoints' content out.</param>
/// <param name="ErasedProfiles">Anonymous profiles erased.</param>
[GenerateSerializer, Immutable, Alias("RetentionSwept")]
public sealed record RetentionSwept([property: Id(0)] int Journeys, [property: Id(1)] int ErasedProfiles);
