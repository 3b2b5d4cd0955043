using System.Diagnostics;
using System.Globalization;

namespace Profiles.Bench.Faults;

/// <summary>
/// Network faults on loopback, as a dead switch port or a firewall makes them: iptables drops packets silently, so
/// the peers see silence, no reset and no refusal. Each node runs as a system user of its own, which is how a rule
/// (iptables' owner match) singles out the packets one node sends; the ports say where they go. Needs root.
/// </summary>
public static class Firewall
{
    /// <summary>Marks the campaign's rules, so that rules a killed run left behind are found and removed.</summary>
    private const string Comment = "profiles-bench-faults";

    /// <summary>The system user node <paramref name="node"/> (0-based) runs as; nothing else runs as it.</summary>
    public static string UserOf(int node) => $"profiles-fault-{node + 1}";

    /// <summary>Creates the nodes' users where missing and removes the rules of an earlier run.</summary>
    public static async Task PrepareAsync(int nodes)
    {
        if (Environment.UserName != "root") throw new InvalidOperationException("the fault campaign drops packets with iptables and signals other users' processes: run it as root");
        for (var node = 0; node < nodes; node++)
            if ((await RunAsync("id", "-u", UserOf(node))).ExitCode != 0)
                await RunCheckedAsync("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", UserOf(node));
        await HealAllAsync();
    }

    /// <summary>Removes every rule of the campaign, whatever put it there.</summary>
    public static async Task HealAllAsync()
    {
        var (_, rules) = await RunAsync("iptables", "-w", "-S", "OUTPUT");
        foreach (var leftover in rules.Split('\n').Where(line => line.Contains(Comment, StringComparison.Ordinal)))
            await RunCheckedAsync("iptables", ["-w", .. leftover.Replace("-A OUTPUT", "-D OUTPUT", StringComparison.Ordinal).Split(' ', StringSplitOptions.RemoveEmptyEntries)]);
    }

    /// <summary>Drops what node <paramref name="node"/> sends to the other nodes' silo ports, what anyone sends to its
    /// own and its answers on connections the others opened: no silo message passes either way, while its clients
    /// still reach it over HTTP.</summary>
    public static Task CutFromNodesAsync(int node, int siloPort, IEnumerable<int> otherSiloPorts) => InsertAsync(
        [.. From(node), .. ToPorts(otherSiloPorts)],
        ["-p", "tcp", "--dport", Port(siloPort)],
        [.. From(node), "-p", "tcp", "--sport", Port(siloPort)]);

    /// <summary>Drops what node <paramref name="node"/> sends to Redis: it hears nothing back.</summary>
    public static Task CutFromRedisAsync(int node, IEnumerable<int> redisPorts) => InsertAsync([.. From(node), .. ToPorts(redisPorts)]);

    private static string[] From(int node) => ["-m", "owner", "--uid-owner", UserOf(node)];

    private static string[] ToPorts(IEnumerable<int> ports) => ["-p", "tcp", "-m", "multiport", "--dports", string.Join(',', ports.Select(Port))];

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    private static async Task InsertAsync(params string[][] matches)
    {
        foreach (var match in matches)
            await RunCheckedAsync("iptables", ["-w", "-I", "OUTPUT", .. match, "-m", "comment", "--comment", Comment, "-j", "DROP"]);
    }

    private static async Task RunCheckedAsync(string command, params string[] arguments)
    {
        var (exitCode, output) = await RunAsync(command, arguments);
        if (exitCode != 0) throw new InvalidOperationException($"{command} {string.Join(' ', arguments)} exited with {exitCode}: {output}");
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string command, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(command, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })
            ?? throw new InvalidOperationException($"{command} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await errors);
    }
}
