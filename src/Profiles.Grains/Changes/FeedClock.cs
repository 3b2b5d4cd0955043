using Microsoft.Extensions.Options;

namespace Profiles.Grains.Changes;

/// <summary>The time a change is recorded at, and the oldest feed position the retention keeps.</summary>
public sealed class FeedClock(IOptions<ChangeFeedOptions> options, TimeProvider time)
{
    public DateTimeOffset UtcNow => time.GetUtcNow();

    public string Now() => UtcNow.ToString("O");

    /// <summary>The Redis Stream id below which entries may be trimmed (XADD MINID).</summary>
    public string MinimumId() => $"{(time.GetUtcNow() - options.Value.Retention).ToUnixTimeMilliseconds()}-0";
}
