using StackExchange.Redis;

namespace Profiles.Grains.Storage;

/// <summary>
/// The Redis connection a node asks whether storage answers it, apart from the one its journeys, standings and feed
/// use. Replies come back in order on a connection, so a ping sent on the busy one waits behind the node's own backlog
/// (a flood of journey pages, a connection being re-established under it) and would report storage unreachable when
/// the node is only busy; and a node that believes itself cut off stops (StorageIsolationGuard). Cut off for real,
/// both connections lose their packets alike.
/// </summary>
public sealed class StorageHealthConnection(IConnectionMultiplexer connection) : IDisposable
{
    public IDatabase Db => connection.GetDatabase();

    public void Dispose() => connection.Dispose();
}
