using System.Diagnostics;

namespace Profiles.Bench.Faults;

/// <summary>A fault as it happened, on the schedule's clock: when it struck, when it was healed (a node killed
/// handed back to its supervisor, a node paused continued, the rules removed, Redis serving again).</summary>
public sealed record FaultRun(Fault Fault, TimeSpan Struck, TimeSpan Healed)
{
    /// <summary>The slowest request to a node the fault did not hit, from the strike until <see cref="Aftermath"/>
    /// after the healing (or the next fault, if sooner); null when none was sent.</summary>
    public Attempt? Slowest { get; init; }

    /// <summary>How long after the healing the recovery counts as part of the fault.</summary>
    public static readonly TimeSpan Aftermath = TimeSpan.FromSeconds(10);
}

/// <summary>Strikes a schedule's faults one after the other, each at its time (or 3 s after the one before was healed,
/// when that took longer than planned), and heals each after its hold, whatever happens meanwhile.</summary>
public static class FaultInjector
{
    private static readonly TimeSpan Gap = TimeSpan.FromSeconds(3);

    public static async Task<IReadOnlyList<FaultRun>> RunAsync(IReadOnlyList<Fault> plan, IReadOnlyList<FaultNode> nodes, FaultStore store, Stopwatch clock,
        CancellationToken ct)
    {
        var runs = new List<FaultRun>();
        var healed = TimeSpan.Zero;
        foreach (var fault in plan)
        {
            var wait = (fault.At > healed + Gap ? fault.At : healed + Gap) - clock.Elapsed;
            if (wait > TimeSpan.Zero) await Task.Delay(wait, ct).ConfigureAwait(false);
            Console.Error.WriteLine($"  {clock.Elapsed.TotalSeconds,5:0.0} s  {fault}");
            var struck = clock.Elapsed;
            try
            {
                await StrikeAsync(fault, nodes, store, ct).ConfigureAwait(false);
                await Task.Delay(fault.Hold, ct).ConfigureAwait(false);
            }
            finally
            {
                await HealAsync(fault, nodes, store).ConfigureAwait(false);
            }
            healed = clock.Elapsed;
            runs.Add(new FaultRun(fault, struck, healed));
        }
        return runs;
    }

    private static async Task StrikeAsync(Fault fault, IReadOnlyList<FaultNode> nodes, FaultStore store, CancellationToken ct)
    {
        var node = nodes[fault.Target];
        switch (fault.Kind)
        {
            case FaultKind.KillNode:
                await node.KillAsync().ConfigureAwait(false);
                break;
            case FaultKind.PauseNode:
                node.Pause();
                break;
            case FaultKind.CutFromNodes:
                await Firewall.CutFromNodesAsync(node.Index, node.SiloPort, nodes.Where(n => n != node).Select(n => n.SiloPort)).ConfigureAwait(false);
                break;
            case FaultKind.CutFromRedis:
                await Firewall.CutFromRedisAsync(node.Index, store.Ports).ConfigureAwait(false);
                break;
            case FaultKind.CutFromBoth:
                await Firewall.CutFromNodesAsync(node.Index, node.SiloPort, nodes.Where(n => n != node).Select(n => n.SiloPort)).ConfigureAwait(false);
                await Firewall.CutFromRedisAsync(node.Index, store.Ports).ConfigureAwait(false);
                break;
            case FaultKind.KillRedis or FaultKind.FailOverMaster:
                await store.CrashAsync(fault.Target, ct).ConfigureAwait(false);
                break;
        }
    }

    private static async Task HealAsync(Fault fault, IReadOnlyList<FaultNode> nodes, FaultStore store)
    {
        var node = nodes[fault.Target];
        switch (fault.Kind)
        {
            case FaultKind.KillNode:
                node.Restart();
                break;
            case FaultKind.PauseNode:
                node.Resume();
                break;
            case FaultKind.CutFromNodes or FaultKind.CutFromRedis or FaultKind.CutFromBoth:
                await Firewall.HealAllAsync().ConfigureAwait(false);
                break;
            case FaultKind.KillRedis or FaultKind.FailOverMaster:
                await store.RecoverAsync(fault.Target, CancellationToken.None).ConfigureAwait(false);
                break;
        }
    }
}
