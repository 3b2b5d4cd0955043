using Profiles.Grains.Journey;

namespace Profiles.Grains.Storage;

/// <summary>
/// Asked by a node that misses some of storage, on another node: which shards of storage answer from there? The
/// asking node names the node in the key and in a placement hint, and checks who answered, since a hint is only a
/// wish.
/// </summary>
public interface IStorageWitnessGrain : IGrainWithStringKey
{
    Task<WitnessReport> ReachesStorage();
}

/// <summary>What a witness saw: the node it runs on (its silo address) and which shards of storage answered there.</summary>
[GenerateSerializer, Immutable, Alias("WitnessReport")]
public sealed record WitnessReport([property: Id(0)] string Silo, [property: Id(1)] StorageReach Reach);

public sealed class StorageWitnessGrain(IJourneyStore journeys, ILocalSiloDetails silo) : Grain, IStorageWitnessGrain
{
    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(1);

    public async Task<WitnessReport> ReachesStorage() =>
        new(silo.SiloAddress.ToParsableString(), await journeys.ReachAsync(PingTimeout));
}
