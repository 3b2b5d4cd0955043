using System.Diagnostics;
using System.Globalization;

namespace Profiles.Bench;

/// <summary>Redis's own count of the commands it ran (<c>INFO commandstats</c>): calls and server time per command.</summary>
public sealed class RedisCommandStats
{
    public Dictionary<string, (long Calls, long Usec)> ByCommand { get; } = new(StringComparer.Ordinal);

    public long Calls => ByCommand.Values.Sum(c => c.Calls);

    public long Usec => ByCommand.Values.Sum(c => c.Usec);

    /// <summary>What ran between <paramref name="before"/> and this, without the INFO calls that read the figures.</summary>
    public RedisCommandStats Minus(RedisCommandStats before)
    {
        var diff = new RedisCommandStats();
        foreach (var (name, now) in ByCommand)
        {
            if (name == "info") continue;
            var was = before.ByCommand.GetValueOrDefault(name);
            if (now.Calls - was.Calls > 0) diff.ByCommand[name] = (now.Calls - was.Calls, now.Usec - was.Usec);
        }
        return diff;
    }

    /// <summary>"1,234 calls: 800 evalsha, 300 xadd, ...; 12.3 ms of Redis time".</summary>
    public string Describe(int top = 5) =>
        string.Join(", ", ByCommand.OrderByDescending(c => c.Value.Calls).ThenBy(c => c.Key, StringComparer.Ordinal).Take(top)
            .Select(c => $"{c.Value.Calls:N0} {c.Key}"))
        + (ByCommand.Count > top ? $", {ByCommand.Count - top} other kinds" : "")
        + $"; {Usec / 1000.0:0.#} ms of Redis time";

    /// <summary>Reads <c>INFO commandstats</c> of the redis-server on 127.0.0.1:<paramref name="port"/> with redis-cli;
    /// null when there is no port, no redis-cli, or no answer.</summary>
    public static async Task<RedisCommandStats?> ReadAsync(int? port, CancellationToken ct)
    {
        if (port is not { } p) return null;
        try
        {
            var start = new ProcessStartInfo("redis-cli", ["-h", "127.0.0.1", "-p", p.ToString(CultureInfo.InvariantCulture), "INFO", "commandstats"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var process = Process.Start(start);
            if (process is null) return null;
            var output = await process.StandardOutput.ReadToEndAsync(ct).ConfigureAwait(false);
            await process.WaitForExitAsync(ct).ConfigureAwait(false);
            return process.ExitCode == 0 ? Parse(output) : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // no redis-cli
        }
    }

    /// <summary>Lines like <c>cmdstat_evalsha:calls=12,usec=345,usec_per_call=28.75,rejected_calls=0,failed_calls=0</c>.</summary>
    public static RedisCommandStats Parse(string info)
    {
        var stats = new RedisCommandStats();
        foreach (var raw in info.Split('\n'))
        {
            var line = raw.Trim();
            if (!line.StartsWith("cmdstat_", StringComparison.Ordinal)) continue;
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0) continue;
            var name = line[8..colon];
            long calls = 0, usec = 0;
            foreach (var field in line[(colon + 1)..].Split(','))
            {
                var eq = field.IndexOf('=', StringComparison.Ordinal);
                if (eq < 0) continue;
                var key = field[..eq];
                if (key == "calls") long.TryParse(field[(eq + 1)..], NumberStyles.Integer, CultureInfo.InvariantCulture, out calls);
                else if (key == "usec") long.TryParse(field[(eq + 1)..], NumberStyles.Integer, CultureInfo.InvariantCulture, out usec);
            }
            stats.ByCommand[name] = (calls, usec);
        }
        return stats;
    }
}
