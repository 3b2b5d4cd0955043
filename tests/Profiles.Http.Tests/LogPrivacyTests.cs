using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;
using Profiles.Contracts;
using Profiles.Testing;

namespace Profiles.Http.Tests;

/// <summary>No identifier value in clear, nor its SHA-256, in any log line at any level, any metric or any trace of a
/// node (docs/API.md, "Conventions"), with every logging level an operator could set raised to Trace.</summary>
public class LogPrivacyTests : IClassFixture<LogPrivacyTests.CapturingNode>
{
    private readonly CapturingNode _node;

    public LogPrivacyTests(CapturingNode node) => _node = node;

    [Fact]
    public async Task No_log_line_metric_or_trace_holds_an_identifier_value_through_ingest_lookups_live_streams_and_erasure()
    {
        var run = Guid.NewGuid().ToString("n")[..8];
        var digits = "12" + Random.Shared.Next(100_000, 999_999); // 06 12: an assigned mobile range
        var email = $" Log.Watcher.{run}@Example.COM ";
        var normalisedEmail = email.Trim().ToLowerInvariant();
        var emailSha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalisedEmail)));
        var phone = $"06 {digits[..2]} {digits[2..4]} {digits[4..6]} {digits[6..]}";
        var nationalPhone = $"06{digits}";
        var e164Phone = $"+336{digits}";
        var loyalty = $"FR-LOG-{run}";
        var badEmail = $"not-an-email-{run}";
        var badPhone = $"12{digits[..3]}";
        var unknownEmail = $"nobody.{run}@example.com";
        var cookie = $"ck-{run}";
        string[] values = [email.Trim(), normalisedEmail, emailSha, phone, nationalPhone, e164Phone, loyalty, badEmail, badPhone, unknownEmail, cookie];
        // As typed, and as an address carries them.
        var secrets = values.Concat(values.Select(Uri.EscapeDataString)).Distinct().ToList();
        using var traces = new TraceCapture();

        using var http = _node.CreateClient();
        var api = new Api(http);
        var results = await api.IngestAsync(new JsonArray(
            Touch($"{run}-1", ("cookie", cookie), ("email", email)),
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
        await api.LookupAsync(new IdentifierInput("email", Sha256: emailSha));
        Assert.True((await api.Client.LookupAsync(new IdentifierInput("phone", phone), ["computed"])).Succeeded);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/v1/profiles/lookup?type=email&value={Uri.EscapeDataString(unknownEmail)}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await api.Client.LookupAsync(new IdentifierInput("email", unknownEmail))).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.GetAsync($"/v1/profiles/lookup?type=email&value={Uri.EscapeDataString(badEmail)}")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.Client.LookupAsync(new IdentifierInput("phone", badPhone))).Status);
        await api.JourneyIdsAsync(profileId);
        await ReadLiveAsync(http, $"/v1/profiles/live?type=email&value={Uri.EscapeDataString(email)}");
        await ReadLiveAsync(http, $"/v1/profiles/live?type=email&value={Uri.EscapeDataString(unknownEmail)}");
        await ReadLiveAsync(http, $"/v1/profiles/{profileId}/live");
        using (var unlink = await http.PostAsJsonAsync($"/v1/profiles/{profileId}/unlink",
                   new { identifiers = new[] { new { type = "email", value = email }, new { type = "phone", value = badPhone } } }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, unlink.StatusCode);
        }
        using (var erased = await http.DeleteAsync($"/v1/profiles/{profileId}")) Assert.Equal(HttpStatusCode.NoContent, erased.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/v1/profiles/lookup?type=email&value={Uri.EscapeDataString(email)}")).Status);
        Assert.True((await api.Client.GetChangesAsync(limit: 1000)).Succeeded);
        var metrics = await http.GetStringAsync("/metrics");

        var lines = _node.Lines.ToList();
        Assert.Contains(lines, l => l.Contains("No API keys configured")); // the capture sees the node's log
        Assert.Contains(lines, l => l.StartsWith("Trace ", StringComparison.Ordinal)); // and at Trace
        Assert.Contains("profiles_lookup_duration_seconds", metrics);
        var spans = traces.Spans.ToList();
        Assert.NotEmpty(spans);
        foreach (var secret in secrets)
        {
            var leak = lines.FirstOrDefault(l => l.Contains(secret, StringComparison.OrdinalIgnoreCase));
            Assert.True(leak is null, $"A log line holds the identifier value '{secret}': {leak}");
            Assert.DoesNotContain(secret, metrics, StringComparison.OrdinalIgnoreCase);
            var span = spans.FirstOrDefault(s => s.Contains(secret, StringComparison.OrdinalIgnoreCase));
            Assert.True(span is null, $"A trace holds the identifier value '{secret}': {span}");
        }
    }

    /// <summary>Opens a live stream, reads its first event and hangs up.</summary>
    private static async Task ReadLiveAsync(HttpClient http, string path)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
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

    /// <summary>
    /// An embedded node whose every log line is kept (message, exception, structured values and scopes), with every
    /// level an operator could raise set to Trace: the default, the framework's and Orleans' categories, the request
    /// lines' own, and the same again for this capture alone, the setting that overrides all others.
    /// </summary>
    public sealed class CapturingNode : WebApplicationFactory<Program>
    {
        private readonly CapturingProvider _provider = new();

        public IEnumerable<string> Lines => _provider.Lines;

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("Profiles:SiloPort", FreePort.Next().ToString());
            builder.UseSetting("Profiles:GatewayPort", FreePort.Next().ToString());
            foreach (var scope in new[] { "Logging:LogLevel", $"Logging:{CapturingProvider.Alias}:LogLevel" })
            {
                foreach (var category in new[] { "Default", "Microsoft", "Microsoft.AspNetCore", "Orleans", "Microsoft.AspNetCore.Hosting.Diagnostics" })
                {
                    builder.UseSetting($"{scope}:{category}", "Trace");
                }
            }
            builder.ConfigureLogging(logging => logging.AddProvider(_provider));
        }
    }

    [ProviderAlias(Alias)]
    private sealed class CapturingProvider : ILoggerProvider
    {
        public const string Alias = "Capture";

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
            lines.Enqueue($"Scope {category}: {state}");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {values} {exception}");
        }
    }

    /// <summary>Every activity (trace span) any source starts while it lives, as text: its name, tags, events and
    /// baggage. Activities are process-wide: other tests' spans are kept too, and hold none of this run's values.</summary>
    private sealed class TraceCapture : IDisposable
    {
        private readonly ConcurrentQueue<string> _spans = new();
        private readonly ActivityListener _listener;

        public TraceCapture()
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = _ => true,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = activity => _spans.Enqueue(
                    $"{activity.Source.Name} {activity.OperationName} {activity.DisplayName} " +
                    string.Join(" ", activity.TagObjects.Select(t => $"{t.Key}={t.Value}")) + " " +
                    string.Join(" ", activity.Events.Select(e => $"{e.Name} {string.Join(" ", e.Tags.Select(t => $"{t.Key}={t.Value}"))}")) + " " +
                    string.Join(" ", activity.Baggage.Select(b => $"{b.Key}={b.Value}"))),
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public IEnumerable<string> Spans => _spans;

        public void Dispose() => _listener.Dispose();
    }
}
