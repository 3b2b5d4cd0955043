using System.Net.ServerSentEvents;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Profiles.Contracts;
using Profiles.Contracts.Http;

namespace Profiles.Testing;

/// <summary>A client of the live streams (GET /v1/profiles/live, GET /v1/profiles/{profileId}/live): reads server-sent
/// events in the background, as a tablet would.</summary>
public sealed class EventStream : IAsyncDisposable
{
    private readonly Channel<(string Event, JsonNode Data)> _events = Channel.CreateUnbounded<(string, JsonNode)>();
    private readonly CancellationTokenSource _stop = new();
    private readonly HttpResponseMessage _response;
    private readonly Task _reading;

    private EventStream(HttpResponseMessage response)
    {
        _response = response;
        _reading = ReadAsync();
    }

    public string? ContentType => _response.Content.Headers.ContentType?.MediaType;

    /// <summary>The stream of the profile an identifier leads to.</summary>
    public static Task<EventStream> OpenAsync(HttpClient http, string type, string value) => OpenAsync(http, new Uri(ApiPaths.Live(new IdentifierInput(type, value)), UriKind.Relative));

    /// <summary>The stream of the profile a profile id leads to.</summary>
    public static Task<EventStream> OpenAsync(HttpClient http, string profileId) => OpenAsync(http, new Uri(ApiPaths.Live(profileId), UriKind.Relative));

    private static async Task<EventStream> OpenAsync(HttpClient http, Uri path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        return new EventStream(response);
    }

    /// <summary>The next event, skipping heartbeats; fails the test after <paramref name="timeout"/>.</summary>
    public async Task<(string Event, JsonNode Data)> NextAsync(TimeSpan? timeout = null)
    {
        using var wait = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        try
        {
            return await _events.Reader.ReadAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException("No live event arrived in time.");
        }
    }

    /// <summary>Reads events until one satisfies <paramref name="wanted"/>: later states replace earlier ones.</summary>
    public async Task<(string Event, JsonNode Data)> UntilAsync(Func<string, JsonNode, bool> wanted, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var next = await NextAsync(deadline - DateTime.UtcNow);
            if (wanted(next.Event, next.Data)) return next;
        }
    }

    /// <summary>Whether the server ends the stream within <paramref name="timeout"/>, once every event before the end
    /// has been read.</summary>
    public async Task<bool> EndsWithinAsync(TimeSpan timeout)
    {
        try
        {
            await _events.Reader.Completion.WaitAsync(timeout);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private async Task ReadAsync()
    {
        try
        {
            var body = await _response.Content.ReadAsStreamAsync(_stop.Token);
            await foreach (var item in SseParser.Create(body).EnumerateAsync(_stop.Token))
            {
                await _events.Writer.WriteAsync((item.EventType, JsonNode.Parse(item.Data)!));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException)
        {
        }
        finally
        {
            _events.Writer.TryComplete();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _response.Dispose();
        await _reading;
        _stop.Dispose();
    }
}
