using System.Diagnostics;

namespace Profiles.Durability.Tests;

/// <summary>
/// A real network fault on this machine: iptables drops every packet that the processes of one system user send
/// (or only those to one TCP port, or those between one node and the others), silently, as a dead switch port or a
/// hung host loses them: no reset, no refusal, the peers only see silence; or it answers them with resets. A node
/// started as <see cref="User"/> is the one cut off. Needs root and
/// iptables (./test.sh installs it); the user is created on first use. Disposing heals the cut, whatever happened.
/// </summary>
public sealed class NetworkCut : IAsyncDisposable
{
    /// <summary>The system user the node to cut off runs as; nothing else on the machine runs as it.</summary>
    public const string User = "profiles-cut";

    /// <summary>Marks this project's rules, so that a rule left by a test process that was killed can be found.</summary>
    private const string Comment = "profiles-durability-cut";

    private readonly string[][] _rules;
    private bool _healed;

    private NetworkCut(string[][] rules) => _rules = rules;

    /// <summary>Creates <see cref="User"/> if needed and removes rules a killed test run left behind, so that a
    /// node started as the user can reach the network.</summary>
    public static async Task PrepareAsync()
    {
        if (Environment.UserName != "root") throw new InvalidOperationException("Partition tests cut a node off with iptables and must run as root (./test.sh does).");
        if ((await RunAsync("id", "-u", User)).ExitCode != 0)
        {
            await RunCheckedAsync("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", User);
        }
        var (_, rules) = await RunAsync("iptables", "-w", "-S", "OUTPUT");
        foreach (var leftover in rules.Split('\n').Where(line => line.Contains(Comment, StringComparison.Ordinal)))
        {
            await RunCheckedAsync("iptables", ["-w", .. leftover.Replace("-A OUTPUT", "-D OUTPUT", StringComparison.Ordinal).Split(' ')]);
        }
    }

    /// <summary>Drops every packet <see cref="User"/>'s processes send, or only those to <paramref name="port"/>.</summary>
    public static Task<NetworkCut> CutAsync(int? port = null) =>
        ApplyAsync([Rule(["-m", "owner", "--uid-owner", User, .. port is { } p ? new[] { "-p", "tcp", "--dport", p.ToString() } : []], "DROP")]);

    /// <summary>Answers every packet <see cref="User"/>'s processes send to <paramref name="port"/> with a TCP reset, as
    /// a peer that crashed or a firewall that refuses does: the connections fail at once, with what they had in flight.</summary>
    public static Task<NetworkCut> ResetAsync(int port) =>
        ApplyAsync([Rule(["-m", "owner", "--uid-owner", User, "-p", "tcp", "--dport", port.ToString()], "REJECT", "--reject-with", "tcp-reset")]);

    /// <summary>Cuts the node run as <see cref="User"/>, listening for silo messages on <paramref name="siloPort"/>,
    /// off the other nodes' <paramref name="otherSiloPorts"/>, both ways, silently: no Orleans message passes, while
    /// its HTTP clients and its Redis still reach it.</summary>
    public static Task<NetworkCut> CutFromNodesAsync(int siloPort, IEnumerable<int> otherSiloPorts) =>
        ApplyAsync(
        [
            .. otherSiloPorts.Select(port => Rule(["-m", "owner", "--uid-owner", User, "-p", "tcp", "--dport", port.ToString()], "DROP")),
            Rule(["-p", "tcp", "--dport", siloPort.ToString()], "DROP"),
            Rule(["-m", "owner", "--uid-owner", User, "-p", "tcp", "--sport", siloPort.ToString()], "DROP"),
        ]);

    private static string[] Rule(string[] match, params string[] target) =>
        ["OUTPUT", .. match, "-m", "comment", "--comment", Comment, "-j", .. target];

    private static async Task<NetworkCut> ApplyAsync(string[][] rules)
    {
        var cut = new NetworkCut(rules);
        try
        {
            foreach (var rule in rules) await RunCheckedAsync("iptables", ["-w", "-I", .. rule]);
        }
        catch
        {
            await cut.HealAsync();
            throw;
        }
        return cut;
    }

    public async Task HealAsync()
    {
        if (_healed) return;
        _healed = true;
        // A rule a failed insertion left out is not there to delete: iptables says so, and the others still go.
        foreach (var rule in _rules) await RunAsync("iptables", ["-w", "-D", .. rule]);
    }

    public async ValueTask DisposeAsync() => await HealAsync();

    private static async Task RunCheckedAsync(string command, params string[] arguments)
    {
        var (exitCode, _) = await RunAsync(command, arguments);
        if (exitCode != 0) throw new InvalidOperationException($"{command} {string.Join(' ', arguments)} exited with {exitCode}.");
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string command, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(command, arguments) { RedirectStandardOutput = true })
            ?? throw new InvalidOperationException($"{command} did not start.");
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output);
    }
}
