using System.Diagnostics;
using Profiles.Contracts;
using Profiles.Testing;

namespace Profiles.Durability.Tests;

/// <summary>A lookup does not queue behind a write: while Redis holds a profile's write back, the profile answers
/// its readers at once, as it stood before the write, and shows the write once it is durable.</summary>
public class ReadsDuringWritesTests
{
    private readonly string _run = Guid.NewGuid().ToString("n")[..8];

    [Fact]
    public async Task A_profile_whose_write_waits_for_Redis_answers_lookups_at_once_as_it_stood_before()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var node = await NodeProcess.StartAsync(redis.ConnectionString, _run);
        var email = new IdentifierInput("email", $"ann.{_run}@example.com");
        await node.Api.IngestAsync([Touchpoint("first", "web", email)]);
        Assert.Equal(1, (int)(await node.Api.LookupAsync(email))["touchpoints"]!);

        // Redis serves reads but holds every write (a script call included) back for 1.5 s, under the node's 2 s timeout.
        await redis.CliAsync("CLIENT", "PAUSE", "1500", "WRITE");
        var writing = node.Api.Client.IngestAsync([Touchpoint("second", "store", email)]);
        await Task.Delay(TimeSpan.FromSeconds(0.25));
        Assert.False(writing.IsCompleted, "The second touchpoint was answered while Redis held writes back.");

        var reading = Stopwatch.StartNew();
        var during = await node.Api.LookupAsync(email);
        reading.Stop();
        Assert.False(writing.IsCompleted, "The write ended before the lookup: the lookup may have waited for it.");
        Assert.True(reading.Elapsed < TimeSpan.FromSeconds(0.9), $"The lookup took {reading.Elapsed.TotalSeconds:F2} s: it waited for the write.");
        Assert.Equal(1, (int)during["touchpoints"]!);

        var written = await writing;
        Assert.True(written.Succeeded, $"The held write answered {written.Status}: {written.Problem?.Detail}\n{node.LogTail}");
        Assert.Equal("accepted", written.Value[0].Status);
        Assert.Equal(2, (int)(await node.Api.LookupAsync(email))["touchpoints"]!);
    }

    private TouchpointInput Touchpoint(string name, string channel, IdentifierInput identifier) =>
        new($"{_run}-{name}", DateTimeOffset.UtcNow, channel, "page_view", [identifier]);
}
