using System.Net;
using System.Net.Sockets;

namespace Profiles.Testing;

public static class FreePort
{
    // Below Linux's ephemeral range (32,768-60,999): a port the kernel handed out for a listener on port 0 is one it
    // also hands to outgoing connections, and in the moment between choosing it and a node binding it, a Redis or
    // Orleans client connection of this or another process could take it ("address already in use", seen in CI).
    // Outgoing connections never take a port below that range, so only a listener can, and the check below sees one.
    private const int First = 20_000;
    private const int Count = 12_000;

    // Each test process starts at a place of its own in the range and walks on from there, so that two test
    // assemblies running at once (dotnet test runs them in parallel) do not choose the same ports in the same order.
    private static int _next = Random.Shared.Next(Count);

    /// <summary>A loopback port nothing listens on right now, outside the range the kernel takes outgoing ports from,
    /// and not handed out before by this process.</summary>
    public static int Next()
    {
        for (var tries = 0; tries < Count; tries++)
        {
            var port = First + (int)((uint)Interlocked.Increment(ref _next) % Count);
            if (IsFree(port)) return port;
        }
        throw new InvalidOperationException($"No free loopback port between {First} and {First + Count - 1}.");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
