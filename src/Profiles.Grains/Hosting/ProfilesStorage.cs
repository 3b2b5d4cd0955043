namespace Profiles.Grains;

/// <summary>The grain storage provider the grains persist to (memory in the embedded default, Redis when configured).</summary>
public static class ProfilesStorage
{
    public const string Name = "profiles";

    /// <summary>The identifier grains' storage: in Redis a field per identifier in its shard's hash, written in the
    /// shard's group commit (<see cref="Writes.RedisIdentifierStorage"/>); in memory otherwise.</summary>
    public const string Identifiers = "identifiers";
}
