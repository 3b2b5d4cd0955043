namespace Profiles.Grains.Abstractions;

/// <summary>
/// Grain references by string key without Orleans resolving the interface on every call. <c>GetGrain&lt;T&gt;(string)</c>
/// looks up T's <see cref="GrainInterfaceType"/> from its attributes by reflection and formats its type name each time
/// (Orleans 10 keeps no cache there): 3.9% of a node's CPU during ingest, where every identifier and every profile
/// call takes a fresh reference (docs/PERFORMANCE.md). A grain interface's grain type and interface type
/// never change in a running process, so they are taken from the first reference and reused.
/// </summary>
public static class GrainKeys
{
    public static TGrain ByKey<TGrain>(this IGrainFactory grains, string key) where TGrain : IGrainWithStringKey
    {
        // Kept per process: every silo and client in it maps an interface to the same grain class. A race computes
        // the same pair twice: harmless, and no lock on the path every grain call takes.
        var kind = Kind<TGrain>.Types ??= Resolve<TGrain>(grains);
        return (TGrain)grains.GetGrain(GrainId.Create(kind.Grain, key), kind.Interface);
    }

    private static GrainTypes Resolve<TGrain>(IGrainFactory grains) where TGrain : IGrainWithStringKey
    {
        var prototype = (GrainReference)(object)grains.GetGrain<TGrain>("_");
        return new GrainTypes(prototype.GrainId.Type, prototype.InterfaceType);
    }

    private sealed record GrainTypes(GrainType Grain, GrainInterfaceType Interface);

    private static class Kind<TGrain>
    {
        public static GrainTypes? Types;
    }
}
