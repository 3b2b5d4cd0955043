using System.Diagnostics;
using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace Profiles.Bench;

/// <summary>One stop of every managed thread of the node by its garbage collector.</summary>
/// <param name="Start">When the runtime began suspending threads, in <see cref="Stopwatch"/> ticks.</param>
/// <param name="End">When every thread ran again.</param>
/// <param name="Generation">The generation collected (2 for a background GC's pauses).</param>
/// <param name="PromotedBytes">What the collection kept alive and promoted, from its heap statistics.</param>
/// <param name="Reason">Why the runtime collected: a generation's allocation budget spent (AllocSmall; AllocLarge for
/// objects of 85,000 bytes and more), out of space, or induced.</param>
public sealed record GcPause(long Start, long End, int Generation, long PromotedBytes, GCReason Reason)
{
    public double Milliseconds => (End - Start) * 1000.0 / Stopwatch.Frequency;

    public bool Overlaps(long from, long to) => Start < to && End > from;
}

/// <summary>
/// The node's GC pauses, read from its runtime's own event stream (EventPipe over the diagnostics socket of
/// <c>--node-pid</c>, the GC keyword at informational level: a few events per collection, nothing per allocation).
/// On Linux the runtime stamps events with the monotonic clock that <see cref="Stopwatch"/> reads, so a pause lines up
/// with a lookup this generator timed, to the microsecond.
/// </summary>
public sealed class NodeGcTrace : IAsyncDisposable
{
    private readonly EventPipeSession _session;
    private readonly Task _reading;
    private readonly List<GcPause> _pauses = [];
    private long _suspending = -1;
    private int _generation;
    private GCReason _reason;
    private long _promoted;

    private NodeGcTrace(EventPipeSession session)
    {
        _session = session;
        _reading = Task.Run(Read);
    }

    /// <summary>Starts reading the node's GC events; null (with why) when its runtime cannot be reached.</summary>
    public static NodeGcTrace? TryStart(int pid, out string? why)
    {
        why = null;
        try
        {
            var session = new DiagnosticsClient(pid).StartEventPipeSession(
                new EventPipeProvider(ClrTraceEventParser.ProviderName, EventLevel.Informational, (long)ClrTraceEventParser.Keywords.GC),
                requestRundown: false);
            return new NodeGcTrace(session);
        }
        catch (Exception e) when (e is DiagnosticsClientException or TimeoutException or IOException or UnauthorizedAccessException)
        {
            why = e.Message;
            return null;
        }
    }

    // TimeStampQPC is marked "not obsolete but discouraged" in favour of times relative to the session; the raw
    // clock is what lines a pause up with this process's Stopwatch.
#pragma warning disable CS0618
    private void Read()
    {
        using var source = new EventPipeEventSource(_session.EventStream);
        source.Clr.GCSuspendEEStart += e => _suspending = e.TimeStampQPC;
        source.Clr.GCStart += e => (_generation, _reason) = (e.Depth, e.Reason);
        source.Clr.GCHeapStats += e => _promoted = e.TotalPromotedSize0 + e.TotalPromotedSize1 + e.TotalPromotedSize2 + e.TotalPromotedSize3;
        source.Clr.GCRestartEEStop += e =>
        {
            if (_suspending < 0) return;
            lock (_pauses) _pauses.Add(new GcPause(_suspending, e.TimeStampQPC, _generation, _promoted, _reason));
            _suspending = -1;
        };
        try
        {
            source.Process();
        }
        catch (Exception e)
        {
            // The node exited, or the session was stopped mid-event, or its stream broke: what was read stands, and
            // the report says the trace ended early rather than the bench failing over a side measurement.
            Broken = e.Message;
        }
    }
#pragma warning restore CS0618

    /// <summary>Why the event stream ended before it was stopped, if it did.</summary>
    public string? Broken { get; private set; }

    /// <summary>The pauses that ended between <paramref name="from"/> and <paramref name="to"/> (Stopwatch ticks).</summary>
    public IReadOnlyList<GcPause> PausesBetween(long from, long to)
    {
        lock (_pauses) return [.. _pauses.Where(p => p.End > from && p.Start < to)];
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _session.StopAsync(patience.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DiagnosticsClientException or IOException or TimeoutException or OperationCanceledException)
        {
            // The node is gone: the stream has ended already.
        }
        await _reading.ConfigureAwait(false);
        _session.Dispose();
    }
}
