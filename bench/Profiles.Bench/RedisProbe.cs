using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Profiles.Bench;

/// <summary>
/// A minimal RESP client for the node's Redis (<c>--redis-endpoint</c>, which run.sh passes with --redis): INFO before
/// and after a phase gives the Redis commands and Redis CPU per touchpoint, and used_memory the bytes per stored
/// touchpoint; SCAN and MEMORY USAGE on a sample of keys split the memory by key type. One connection, one command
/// at a time: it costs Redis a handful of commands per phase, which the deltas subtract.
/// </summary>
public sealed class RedisProbe : IDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly BufferedStream _in;
    private readonly SemaphoreSlim _gate = new(1, 1);
    public string Endpoint { get; }
    /// <summary>Commands this probe sent, so deltas can leave them out.</summary>
    public long CommandsSent { get; private set; }

    private RedisProbe(string endpoint, TcpClient tcp)
    {
        Endpoint = endpoint;
        _tcp = tcp;
        _stream = tcp.GetStream();
        _in = new BufferedStream(_stream, 64 * 1024);
    }

    public static async Task<RedisProbe> ConnectAsync(string endpoint, CancellationToken ct)
    {
        var colon = endpoint.LastIndexOf(':');
        var host = colon > 0 ? endpoint[..colon] : endpoint;
        var port = colon > 0 ? int.Parse(endpoint[(colon + 1)..], CultureInfo.InvariantCulture) : 6379;
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(host, port, ct).ConfigureAwait(false);
        return new RedisProbe(endpoint, tcp);
    }

    /// <summary>Sends one command and returns its reply: string (simple or bulk), long, object?[] or null.</summary>
    public async Task<object?> CommandAsync(params string[] args)
    {
        var sb = new StringBuilder();
        sb.Append('*').Append(args.Length).Append("\r\n");
        foreach (var a in args)
        {
            var n = Encoding.UTF8.GetByteCount(a);
            sb.Append('$').Append(n).Append("\r\n").Append(a).Append("\r\n");
        }
        var bytes = Encoding.UTF8.GetBytes(sb.ToString());
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            CommandsSent++;
            await _stream.WriteAsync(bytes).ConfigureAwait(false);
            return Read();
        }
        finally
        {
            _gate.Release();
        }
    }

    private object? Read()
    {
        var line = ReadLine();
        var rest = line[1..];
        switch (line[0])
        {
            case '+': return rest;
            case '-': throw new InvalidOperationException("redis: " + rest);
            case ':': return long.Parse(rest, CultureInfo.InvariantCulture);
            case '$':
            {
                var n = int.Parse(rest, CultureInfo.InvariantCulture);
                if (n < 0) return null;
                var buf = new byte[n + 2];
                var read = 0;
                while (read < buf.Length)
                {
                    var r = _in.Read(buf, read, buf.Length - read);
                    if (r <= 0) throw new IOException("redis closed the connection");
                    read += r;
                }
                return Encoding.UTF8.GetString(buf, 0, n);
            }
            case '*':
            {
                var n = int.Parse(rest, CultureInfo.InvariantCulture);
                if (n < 0) return null;
                var items = new object?[n];
                for (var i = 0; i < n; i++) items[i] = Read();
                return items;
            }
            default: throw new IOException($"unexpected RESP reply '{line}'");
        }
    }

    private string ReadLine()
    {
        var sb = new StringBuilder();
        while (true)
        {
            var b = _in.ReadByte();
            if (b < 0) throw new IOException("redis closed the connection");
            if (b == '\r') { _in.ReadByte(); return sb.ToString(); }
            sb.Append((char)b);
        }
    }

    /// <summary>INFO of the sections the bench reads: commandstats, cpu, memory, stats.</summary>
    public async Task<RedisInfo> InfoAsync()
    {
        var sent = CommandsSent;
        var text = (string?)await CommandAsync("INFO", "all").ConfigureAwait(false) ?? "";
        return RedisInfo.Parse(text, sent + 1);
    }

    /// <summary>Every key, classified by <see cref="KeyClass"/>: count per class and the MEMORY USAGE of up to
    /// <paramref name="samplesPerClass"/> keys of each, scaled to the class's count.</summary>
    public async Task<List<KeyClassUsage>> KeyUsageAsync(int samplesPerClass, CancellationToken ct)
    {
        var classes = new Dictionary<string, KeyClassUsage>(StringComparer.Ordinal);
        var cursor = "0";
        do
        {
            ct.ThrowIfCancellationRequested();
            var reply = (object?[])(await CommandAsync("SCAN", cursor, "COUNT", "2000").ConfigureAwait(false))!;
            cursor = (string)reply[0]!;
            foreach (var k in (object?[])reply[1]!)
            {
                var key = (string)k!;
                var cls = KeyClass(key);
                if (!classes.TryGetValue(cls, out var u)) classes[cls] = u = new KeyClassUsage(cls);
                u.Keys++;
                if (u.Sampled < samplesPerClass)
                {
                    var bytes = await CommandAsync("MEMORY", "USAGE", key, "SAMPLES", "0").ConfigureAwait(false);
                    if (bytes is long b) { u.Sampled++; u.SampledBytes += b; }
                }
            }
        } while (cursor != "0");
        return [.. classes.Values.OrderByDescending(c => c.EstimatedBytes)];
    }

    /// <summary>The key with its variable parts replaced by <c>*</c>: hash tags <c>{..}</c>, and any segment
    /// (between ':' or '/') with a digit in it or longer than 16 characters; runs of them collapse into one.</summary>
    public static string KeyClass(string key)
    {
        var parts = System.Text.RegularExpressions.Regex.Split(key, "([:/])");
        var sb = new StringBuilder();
        var lastWild = false;
        for (var i = 0; i < parts.Length; i++)
        {
            var s = parts[i];
            if (s is ":" or "/") { if (!lastWild || i + 1 >= parts.Length || !IsVariable(parts[i + 1])) sb.Append(s); continue; }
            if (s.StartsWith('{') && s.EndsWith('}')) { sb.Append("{*}"); lastWild = false; continue; }
            if (IsVariable(s))
            {
                if (!lastWild) sb.Append('*');
                lastWild = true;
            }
            else { sb.Append(s); lastWild = false; }
        }
        return sb.ToString();

        static bool IsVariable(string s) => !(s.StartsWith('{') && s.EndsWith('}')) && (s.Length > 16 || s.Any(char.IsAsciiDigit));
    }

    public void Dispose()
    {
        _in.Dispose();
        _tcp.Dispose();
        _gate.Dispose();
    }
}

public sealed class KeyClassUsage(string name)
{
    public string Name { get; } = name;
    public long Keys { get; set; }
    public int Sampled { get; set; }
    public long SampledBytes { get; set; }
    public double EstimatedBytes => Sampled == 0 ? 0 : (double)SampledBytes / Sampled * Keys;
}

/// <summary>The INFO figures the bench uses.</summary>
public sealed record RedisInfo(IReadOnlyDictionary<string, (long Calls, long Usec)> Commands, long TotalCommands,
    double CpuSeconds, long UsedMemory, long ProbeCommands)
{
    public static RedisInfo Parse(string text, long probeCommands)
    {
        var commands = new Dictionary<string, (long, long)>(StringComparer.Ordinal);
        long total = 0, mem = 0;
        double cpu = 0;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            var colon = line.IndexOf(':');
            if (colon <= 0 || line[0] == '#') continue;
            var name = line[..colon];
            var value = line[(colon + 1)..];
            if (name.StartsWith("cmdstat_", StringComparison.Ordinal))
            {
                long calls = 0, usec = 0;
                foreach (var part in value.Split(','))
                {
                    var eq = part.IndexOf('=');
                    if (eq <= 0) continue;
                    var k = part[..eq];
                    if (k == "calls") calls = long.Parse(part[(eq + 1)..], CultureInfo.InvariantCulture);
                    else if (k == "usec") usec = long.Parse(part[(eq + 1)..], CultureInfo.InvariantCulture);
                }
                commands[name["cmdstat_".Length..]] = (calls, usec);
            }
            else if (name == "total_commands_processed") total = long.Parse(value, CultureInfo.InvariantCulture);
            else if (name == "used_memory") mem = long.Parse(value, CultureInfo.InvariantCulture);
            else if (name is "used_cpu_sys" or "used_cpu_user") cpu += double.Parse(value, CultureInfo.InvariantCulture);
        }
        return new RedisInfo(commands, total, cpu, mem, probeCommands);
    }

    /// <summary>Commands Redis processed between two INFOs, without this probe's own.</summary>
    public static long CommandsBetween(RedisInfo a, RedisInfo b) =>
        b.TotalCommands - a.TotalCommands - (b.ProbeCommands - a.ProbeCommands);

    /// <summary>Per-command calls and microseconds between two INFOs, most called first.</summary>
    public static List<(string Command, long Calls, long Usec)> Delta(RedisInfo a, RedisInfo b)
    {
        var list = new List<(string, long, long)>();
        foreach (var (cmd, (calls, usec)) in b.Commands)
        {
            var (c0, u0) = a.Commands.TryGetValue(cmd, out var before) ? before : (0, 0);
            if (calls - c0 > 0) list.Add((cmd, calls - c0, usec - u0));
        }
        return [.. list.OrderByDescending(x => x.Item2)];
    }
}
