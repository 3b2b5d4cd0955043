using System.Runtime.InteropServices;

namespace Profiles.Bench;

/// <summary>
/// The history scenario's PostgreSQL, made and run by the tests' own <see cref="PostgresServer"/> (initdb in a
/// temporary folder, a free loopback port, the <c>postgres</c> user when run as root) in a process of its own, so
/// that run.sh can start it before the node that needs its address and stop it after.
/// </summary>
public static class ServedPostgres
{
    /// <summary>Starts the server, writes its connection string to <paramref name="connectionFile"/> once it answers
    /// and serves until SIGTERM or Ctrl-C, then stops it and removes its folder.</summary>
    public static async Task<int> ServeAsync(string connectionFile, CancellationToken interrupted)
    {
        var terminated = new TaskCompletionSource();
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
        {
            signal.Cancel = true;
            terminated.TrySetResult();
        });
        await using var server = await PostgresServer.StartAsync();
        // Written whole under another name first: run.sh reads the file as soon as it appears.
        var partial = connectionFile + ".partial";
        await File.WriteAllTextAsync(partial, server.ConnectionString, interrupted);
        File.Move(partial, connectionFile);
        try
        {
            await terminated.Task.WaitAsync(interrupted);
        }
        catch (OperationCanceledException)
        {
            // Ctrl-C: stopped as by SIGTERM.
        }
        await server.StopAsync();
        return 0;
    }
}
