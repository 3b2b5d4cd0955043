namespace Profiles.Grains.Storage;

/// <summary>A grain call failed because storage (Redis) could not be reached. Unlike the Redis client's own
/// exceptions, it crosses grain boundaries, so the HTTP layer can answer 503.</summary>
[GenerateSerializer, Alias("StorageUnavailableException")]
public sealed class StorageUnavailableException(string message) : Exception(message);
