using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace Profiles.Grains.Writes;

/// <summary>
/// Group commit on a replicated Redis: a batch's script call counts as done only once <c>replicas</c> replicas of the
/// master that ran it have its writes (Redis' WAIT), so a master lost right after an acknowledgement loses nothing
/// acknowledged. A WAIT that reports fewer replicas within <c>timeout</c> fails the batch
/// (<see cref="ReplicasBehindException"/>): its writers answer 503 and their clients send again, which answers
/// duplicate for what the master kept.
/// </summary>
/// <remarks>
/// WAIT counts the replicas that have the last write of the connection it is sent on, and blocks that connection
/// until they do: so it goes right behind the script, to the same master, on the same connection, and that connection
/// is one of its own, which the node's reads never wait behind.
/// </remarks>
public sealed class ReplicaWait(IConnectionMultiplexer connection, int replicas, TimeSpan timeout) : IDisposable
{
    /// <summary>Runs <paramref name="script"/> on the master that holds <paramref name="keys"/>' slot, then waits for the
    /// replicas. A script answered MOVED is not followed to another master, where this WAIT would not be: the batch
    /// fails, and the client has learnt the new master for the next one.</summary>
    /// <param name="sha">The script's SHA-1, in hex, as Redis names a script it knows.</param>
    /// <exception cref="ReplicasBehindException">Fewer replicas than required had the writes in time.</exception>
    public async Task<RedisResult> RunAsync(string script, string sha, RedisKey[] keys, RedisValue[] arguments)
    {
        var master = MasterOf(keys[0]);
        object[] call = [sha, keys.Length, .. keys.Cast<object>(), .. arguments.Cast<object>()];
        var (answer, acknowledged) = await RunOnceAsync(master, call);
        if (answer is null)
        {
            // The master never ran this script (a new master, or one restarted): it learns it, then runs it.
            await master.ScriptLoadAsync(script);
            (answer, acknowledged) = await RunOnceAsync(master, call);
        }
        if (answer is null) throw new RedisException($"{master.EndPoint} does not keep the write script.");
        if (acknowledged < replicas) throw Behind(acknowledged, master);
        return answer;
    }

    private ReplicasBehindException Behind(long acknowledged, IServer master) =>
        new($"{acknowledged} of the {replicas} replicas required acknowledged a write of {master.EndPoint} within {timeout.TotalMilliseconds:F0} ms.");

    /// <summary>The connection this waits on: a writer that sends its writes through it (Orleans' grain storage, see
    /// <see cref="ReplicatedGrainStorage"/>) can then wait for them with <see cref="WaitForWritesAsync"/>.</summary>
    public IConnectionMultiplexer Connection => connection;

    /// <summary>Waits until <c>replicas</c> replicas of the master holding <paramref name="key"/>'s slot have every write
    /// this connection has carried to it so far, a write just answered for that key included.</summary>
    /// <exception cref="ReplicasBehindException">Fewer replicas than required had the writes in time.</exception>
    public async Task WaitForWritesAsync(RedisKey key)
    {
        var master = MasterOf(key);
        var acknowledged = (long)await WaitAsync(master);
        if (acknowledged < replicas) throw Behind(acknowledged, master);
    }

    /// <summary>WAIT on <paramref name="master"/>: how many replicas have this connection's writes to it, within the timeout.</summary>
    private Task<RedisResult> WaitAsync(IServer master) => master.ExecuteAsync("WAIT", [replicas, (long)timeout.TotalMilliseconds], CommandFlags.NoRedirect);

    /// <summary>A script's SHA-1 in hex, as EVALSHA names it.</summary>
    public static string Sha(string script) => Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(script)));

    /// <summary>The script's answer, or null when the master does not know the script; and how many replicas have it.</summary>
    private async Task<(RedisResult? Answer, long Acknowledged)> RunOnceAsync(IServer master, object[] call)
    {
        // Both written now, one behind the other, so nothing can come between them on the connection.
        var ran = master.ExecuteAsync("EVALSHA", call, CommandFlags.NoRedirect);
        var waited = WaitAsync(master);
        try
        {
            await Task.WhenAll(ran, waited);
        }
        catch (RedisServerException) when (ran.Exception?.GetBaseException() is RedisServerException e && e.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            return (null, 0);
        }
        return (ran.Result, (long)waited.Result);
    }

    private IServer MasterOf(RedisKey key)
    {
        try
        {
            return connection.GetServer(key, flags: CommandFlags.DemandMaster);
        }
        catch (InvalidOperationException e)
        {
            throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, "No master is known for a batch's shard.", e);
        }
    }

    public void Dispose() => connection.Dispose();
}

/// <summary>Fewer replicas than required acknowledged a batch's writes in time: the master may hold them, but losing it
/// could lose them, so nothing of the batch is acknowledged. A storage failure like any other (answered 503).</summary>
public sealed class ReplicasBehindException(string message) : RedisException(message);
