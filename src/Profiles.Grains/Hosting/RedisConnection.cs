using StackExchange.Redis;

namespace Profiles.Grains;

public static class RedisConnection
{
    /// <summary>
    /// The options every Redis connection of a node uses. While Redis is unreachable, commands fail at once
    /// instead of queueing (so a request answers 503 quickly and nothing is acknowledged that was not stored),
    /// and the connection keeps retrying in the background, so the node recovers by itself; on a Redis Cluster, it
    /// learns within about two seconds that a replica took over a master.
    /// </summary>
    public static ConfigurationOptions Options(string connectionString)
    {
        var options = ConfigurationOptions.Parse(connectionString);
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ConnectTimeout = 2000;
        options.AsyncTimeout = 2000;
        options.SyncTimeout = 2000;
        options.ReconnectRetryPolicy = new LinearRetry(500);
        // How often, at most, the client asks each server its role: that is how it learns a replica took over from a
        // master that died. The default, a minute, backs off from a second after the master drops (checks at 1, 3, 6,
        // 10 s...), so two nodes whose checks fell either side of the takeover learnt of it seconds apart.
        options.ConfigCheckSeconds = Math.Min(options.ConfigCheckSeconds, 2);
        return options;
    }
}
