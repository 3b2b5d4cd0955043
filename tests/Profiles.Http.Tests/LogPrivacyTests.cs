using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;
using Profiles.Testing;

namespace Profiles.Http.Tests;

/// <summary>No identifier value in clear in any log line (docs/API.md, "Conventions").</summary>
public class LogPrivacyTests : IClassFixture<LogPrivacyTests.CapturingNode>
{
    private readonly CapturingNode _node;

    public LogPrivacyTests(CapturingNode node) => _node = node;

    [Fact]
    public async Task No_log_line_holds_an_identifier_value_raw_or_normalised()
    {
        var run = Guid.NewGuid().ToString("n")[..8];
        var digits = "12" + Random.Shared.Next(100_000, 999_999); // 06 12: an assigned mobile range
        var email = $" Log.Watcher.{run}@Example.COM ";
        var normalisedEmail = email.Trim().ToLowerInvariant();
        var phone = $"06 {digits[..2]} {digits[2..4]} {digits[4..6]} {digits[6..]}";
        var nationalPhone = $"06{digits}";
        var e164Phone = $"+336{digits}";
        var loyalty = $"FR-LOG-{run}";
        var badEmail = $"not-an-email-{run}";
        var badPhone = $"12{digits[..3]}";
        var unknownEmail = $"nobody.{run}@example.com";
        var secrets = new[] { email.Trim(), normalisedEmail, phone, nationalPhone, e164Phone, loyalty, badEmail, badPhone, unknownEmail, $"ck-{run}" };

        using var http = _node.CreateClient();
        var api = new Api(http);
        var results = await api.IngestAsync(new JsonArray(
            Touch($"{run}-1", ("cookie", $"ck-{run}"), ("email", email)),
            Touch($"{run}-2", ("email", normalisedEmail), ("phone", phone), ("loyalty_id", loyalty)),
            Touch($"{run}-3", ("email", badEmail)),
            Touch($"{run}-4", ("phone", badPhone))));
        Assert.Equal("rejected", (string?)results[2]!["status"]);
        Assert.Equal("rejected", (string?)results[3]!["status"]);
        var profileId = (string)results[0]!["profileId"]!;

        await api.LookupAsync("email", email);
        await api.LookupAsync("phone", e164Phone);
        await api.LookupAsync("phone", nationalPhone);
        await api.LookupAsync("loyalty_id", loyalty);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/v1/profiles/lookup?type=email&value={Uri.EscapeDataString(unknownEmail)}")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.GetAsync($"/v1/profiles/lookup?type=email&value={Uri.EscapeDataString(badEmail)}")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.GetAsync($"/v1/profiles/lookup?type=phone&value={Uri.EscapeDataString(badPhone)}")).Status);
        await api.JourneyIdsAsync(profileId);
        await ReadLiveAsync(http, $"/v1/profiles/live?type=email&value={Uri.EscapeDataString(email)}");
        await ReadLiveAsync(http, $"/v1/profiles/live?type=email&value={Uri.EscapeDataString(unknownEmail)}");

        var lines = _node.Lines.ToList();
        Assert.Contains(lines, l => l.Contains("No API keys configured")); // the capture sees the node's log
        foreach (var secret in secrets)
        {
            var leak = lines.FirstOrDefault(l => l.Contains(secret, StringComparison.OrdinalIgnoreCase));
            Assert.True(leak is null, $"A log line holds the identifier value '{secret}': {leak}");
        }
    }

    /// <summary>Opens a live stream, reads its first event and hangs up.</summary>
    private static async Task ReadLiveAsync(HttpClient http, string path)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        if (response.StatusCode != HttpStatusCode.OK) return; // before the live endpoint lands: nothing to read
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        while (await reader.ReadLineAsync(timeout.Token) is { } line && !line.StartsWith("data:", StringComparison.Ordinal))
        {
        }
    }

    private static JsonObject Touch(string id, params (string Type, string Value)[] identifiers)
    {
        var touchpoint = TouchpointJson.Make(id, "store", "purchase", null, identifiers);
        touchpoint["traits"] = new JsonObject { ["city"] = "Lyon" };
        return touchpoint;
    }

    /// <summary>An embedded node whose every log line, at Debug and above, is kept: message, exception and
    /// structured values.</summary>
    public sealed class CapturingNode : WebApplicationFactory<Program>
    {
        private readonly CapturingProvider _provider = new();

        public IEnumerable<string> Lines => _provider.Lines;

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("Profiles:SiloPort", FreePort.Next().ToString());
            builder.UseSetting("Profiles:GatewayPort", FreePort.Next().ToString());
            builder.UseSetting("Logging:LogLevel:Default", "Debug");
            builder.ConfigureLogging(logging => logging.AddProvider(_provider));
        }
    }

    private sealed class CapturingProvider : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public IEnumerable<string> Lines => _lines;

        public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, _lines);

        public void Dispose()
        {
        }
    }

    private sealed class CapturingLogger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull
        {
            lines.Enqueue($"{category} scope: {state}");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {values} {exception}");
        }
    }
}
