using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Nodes;

namespace Profiles.Segment.Tests;

/// <summary>
/// The analytics libraries a retailer's servers and apps already use, as npm installed them into <c>node/</c>
/// (<c>./test.sh</c> does, from the committed lock file): each send runs <c>node/send.js</c>, which makes the calls
/// through the library and flushes, as an application would before it exits.
/// </summary>
public static class AnalyticsLibraries
{
    public const string AnalyticsNode = "analytics-node";
    public const string RudderSdkNode = "rudder-sdk-node";

    /// <summary>Where the libraries are installed: node/ beside this project's sources.</summary>
    public static string Folder { get; } = typeof(AnalyticsLibraries).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "AnalyticsLibraries").Value!;

    /// <summary>One call of the Segment Spec as the library takes it: <c>analytics.track({ ... })</c>.</summary>
    public static JsonObject Call(string method, JsonObject message) => new() { ["method"] = method, ["message"] = message };

    /// <summary>Sends <paramref name="calls"/> through <paramref name="library"/> to <paramref name="host"/> with
    /// <paramref name="writeKey"/>; fails with the library's own words when it could not deliver every event.</summary>
    public static async Task SendAsync(string library, string host, string writeKey, params JsonObject[] calls)
    {
        if (!Directory.Exists(Path.Combine(Folder, "node_modules", "@segment", "analytics-node")))
        {
            throw new InvalidOperationException($"The analytics libraries are not installed in {Folder}: run 'npm ci' there, as ./test.sh does.");
        }
        using var process = Process.Start(new ProcessStartInfo("node", ["send.js", library, host, writeKey])
        {
            WorkingDirectory = Folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        // Copies: a test may send the same calls twice, and a JSON node belongs to one array only.
        await process.StandardInput.WriteAsync(new JsonArray(calls.Select(c => c.DeepClone()).ToArray()).ToJsonString());
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"{library} did not deliver every event (exit {process.ExitCode}):\n{await output}\n{await errors}");
    }
}
