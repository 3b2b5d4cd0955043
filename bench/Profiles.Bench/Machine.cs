using System.Diagnostics;
using System.Globalization;

namespace Profiles.Bench;

/// <summary>What machine the figures come from.</summary>
public sealed record MachineInfo(int Cores, long MemTotalKiB, string CpuModel, string Os, string Runtime)
{
    public static MachineInfo Read()
    {
        long mem = 0;
        var model = "unknown";
        try
        {
            foreach (var line in File.ReadLines("/proc/meminfo"))
                if (line.StartsWith("MemTotal:", StringComparison.Ordinal)) { mem = FirstNumber(line); break; }
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
                if (line.StartsWith("model name", StringComparison.Ordinal)) { model = line[(line.IndexOf(':') + 1)..].Trim(); break; }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return new MachineInfo(Environment.ProcessorCount, mem, model,
            System.Runtime.InteropServices.RuntimeInformation.OSDescription,
            System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription);
    }

    /// <summary>The 1, 5 and 15 minute load averages of /proc/loadavg ("17.70 16.51 15.80"), or "n/a".</summary>
    public static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "n/a";
        }
        catch (UnauthorizedAccessException)
        {
            return "n/a";
        }
    }

    internal static long FirstNumber(string line)
    {
        var s = line.AsSpan();
        var i = 0;
        while (i < s.Length && !char.IsAsciiDigit(s[i])) i++;
        var j = i;
        while (j < s.Length && char.IsAsciiDigit(s[j])) j++;
        return j > i ? long.Parse(s[i..j], CultureInfo.InvariantCulture) : 0;
    }
}

/// <summary>Reads a node process's memory and CPU from /proc, and this process's own CPU.</summary>
public static class ProcStats
{
    /// <summary>VmRSS in KiB, or null when the process cannot be read.</summary>
    public static long? RssKiB(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) return MachineInfo.FirstNumber(line);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return null;
    }

    /// <summary>User+system CPU time of a process (including its waited-for children not), or null.</summary>
    public static TimeSpan? CpuTime(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var close = stat.LastIndexOf(')');
            var fields = stat[(close + 2)..].Split(' ');
            // fields[0] is state (field 3); utime is field 14, stime field 15.
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return TimeSpan.FromSeconds(ticks / 100.0); // USER_HZ is 100 on Linux
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>Seconds since the process started (from its start time in /proc and the system's uptime), or null.</summary>
    public static double? AgeSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var startTicks = long.Parse(fields[19], CultureInfo.InvariantCulture); // field 22, starttime
            var uptime = double.Parse(File.ReadAllText("/proc/uptime").Split(' ')[0], CultureInfo.InvariantCulture);
            return uptime - startTicks / 100.0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>The 1-, 5- and 15-minute load averages, as /proc/loadavg shows them.</summary>
    public static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "n/a"; }
    }

    public static TimeSpan SelfCpu() => Process.GetCurrentProcess().TotalProcessorTime;
}

/// <summary>CPU used by the bench and by the node(s) over a phase, and the nodes' RSS at its end.</summary>
public sealed class PhaseMeter
{
    private readonly IReadOnlyList<int> _pids;
    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly TimeSpan _selfCpu = ProcStats.SelfCpu();
    private readonly TimeSpan?[] _nodeCpu;

    public PhaseMeter(IReadOnlyList<int> pids)
    {
        _pids = pids;
        _nodeCpu = pids.Select(ProcStats.CpuTime).ToArray();
    }

    public PhaseUsage Stop()
    {
        var elapsed = Clock.Seconds(_start);
        var self = (ProcStats.SelfCpu() - _selfCpu).TotalSeconds;
        double? node = null;
        for (var i = 0; i < _pids.Count; i++)
        {
            var now = ProcStats.CpuTime(_pids[i]);
            if (now is { } n && _nodeCpu[i] is { } s) node = (node ?? 0) + (n - s).TotalSeconds;
        }
        long? rss = null;
        foreach (var pid in _pids) if (ProcStats.RssKiB(pid) is { } r) rss = (rss ?? 0) + r;
        return new PhaseUsage(elapsed, self, node, rss);
    }
}

/// <summary>Elapsed seconds, CPU seconds of the bench and the nodes, nodes' RSS (KiB) at the end.</summary>
public sealed record PhaseUsage(double ElapsedSeconds, double BenchCpuSeconds, double? NodeCpuSeconds, long? NodeRssKiB)
{
    public double BenchCores => BenchCpuSeconds / Math.Max(ElapsedSeconds, 1e-9);
    public double? NodeCores => NodeCpuSeconds / Math.Max(ElapsedSeconds, 1e-9);
}
