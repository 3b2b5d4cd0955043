using StackExchange.Redis;

namespace Profiles.Grains;

public static class RedisConnection
{
    /// <summary>
    /// The options every Redis connection of a node uses. While Redis is unreachable, commands fail at once
    /// instead of queueing (so a request answers 503 quickly and nothing is acknowledged that was not stored),
    /// and the connection keeps retrying in the background, so the node recovers by itself.
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
        return options;
    }
}
