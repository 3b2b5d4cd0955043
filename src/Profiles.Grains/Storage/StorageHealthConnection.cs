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

    /// <summary>Has the client read again, in the background, which server is a master and holds which slots: asked
    /// after a ping some shard did not answer, so that the next ping goes to the replica that took over, if one did,
    /// rather than to the master that died until the client's own periodic check.</summary>
    public void RefreshTopology() => _ = RefreshTopologyAsync();

    private async Task RefreshTopologyAsync()
    {
        try
        {
            await connection.ConfigureAsync();
        }
        catch (Exception)
        {
            // Nothing to do: the next ping says whether storage answers.
        }
    }

    public void Dispose() => connection.Dispose();
}
