using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Profiles.Testing;

namespace Profiles.Import.Tests;

/// <summary>A node that is briefly unavailable does not fail an import: a <c>503</c> or a refused connection is
/// tried again, and the rows land once.</summary>
[Collection(NodeCollection.Name)]
public sealed class RetryTests(NodeFixture fixture) : IDisposable
{
    private readonly string _run = Guid.NewGuid().ToString("n")[..8];
    private readonly TempFolder _folder = new();

    private string[] Arguments(string target) =>
    [
        _folder.Write("crm.csv", $"CustomerNo,Email\nR{_run}-1,r1.{_run}@example.com\nR{_run}-2,r2.{_run}@example.com\n"),
        "--target", target, "--key", NodeFixture.Key, "--map", "crm_id=CustomerNo", "--map", "email=Email",
    ];

    [Fact]
    public async Task Answers_503_and_500_are_retried_until_the_node_takes_the_rows()
    {
        await using var front = FlakyFront.Start(fixture.Node.BaseUrl, failures: [503, 500, 503]);

        var run = await ImportTool.RunAsync(Arguments(front.BaseUrl));

        Assert.True(run.ExitCode == 0, run.Errors);
        Assert.Equal("2 rows: 2 accepted, 0 duplicate, 0 rejected; 0 matched an online profile (0.0%)", run.Summary);
        Assert.Equal(3, front.FailuresAnswered);
        Assert.Equal(3, Retries(run));
    }

    [Fact]
    public async Task A_refusal_that_a_retry_would_not_change_stops_the_import_at_once()
    {
        await using var front = FlakyFront.Start(fixture.Node.BaseUrl, failures: [413]);

        var run = await ImportTool.RunAsync(Arguments(front.BaseUrl));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("error: the import stopped: the node answered 413 RequestEntityTooLarge: The front answers 413.", run.Errors);
        Assert.Contains("run the same command again to finish", run.Errors);
        Assert.Equal(1, front.FailuresAnswered);
        Assert.Empty(run.Output);
    }

    [Fact]
    public async Task A_node_that_starts_listening_late_gets_the_rows()
    {
        var port = FreePort.Next();
        var import = ImportTool.RunAsync(Arguments($"http://127.0.0.1:{port}"));
        await Task.Delay(TimeSpan.FromSeconds(1));
        await using var front = FlakyFront.Start(fixture.Node.BaseUrl, failures: [], port);

        var run = await import;

        Assert.True(run.ExitCode == 0, run.Errors);
        Assert.Equal("2 rows: 2 accepted, 0 duplicate, 0 rejected; 0 matched an online profile (0.0%)", run.Summary);
        Assert.True(Retries(run) > 0, run.Errors);
    }

    // The import's note on standard error: "sent N rows in X s (R rows/s, T retries); ...".
    private static int Retries(ImportOutcome run) => int.Parse(Regex.Match(run.Errors, @"(\d+) retries\)").Groups[1].Value);

    public void Dispose() => _folder.Dispose();
}

/// <summary>A real HTTP server in front of the node, as a load balancer would be: it answers its first requests
/// with the given failure statuses (and a problem body), then passes every request on to the node and its answer
/// back.</summary>
public sealed class FlakyFront : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly HttpClient _node;
    private readonly Task _serving;
    private readonly int[] _failures;
    private int _requests = -1;

    private FlakyFront(string node, int[] failures, int port)
    {
        _node = new HttpClient { BaseAddress = new Uri(node) };
        _failures = failures;
        BaseUrl = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(BaseUrl + "/");
        _listener.Start();
        _serving = ServeAsync();
    }

    public string BaseUrl { get; }

    public int FailuresAnswered => Math.Min(_requests + 1, _failures.Length);

    public static FlakyFront Start(string node, int[] failures, int? port = null) => new(node, failures, port ?? FreePort.Next());

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        using var response = context.Response;
        if (Interlocked.Increment(ref _requests) is var request && request < _failures.Length)
        {
            response.StatusCode = _failures[request];
            response.ContentType = "application/problem+json";
            await response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes($$"""{"status":{{response.StatusCode}},"detail":"The front answers {{response.StatusCode}}."}"""));
            return;
        }
        using var forward = new HttpRequestMessage(new HttpMethod(context.Request.HttpMethod), context.Request.Url!.PathAndQuery);
        if (context.Request.HasEntityBody)
        {
            forward.Content = new StreamContent(context.Request.InputStream);
            forward.Content.Headers.TryAddWithoutValidation("Content-Type", context.Request.ContentType);
        }
        forward.Headers.TryAddWithoutValidation("Authorization", context.Request.Headers["Authorization"]);
        using var answer = await _node.SendAsync(forward);
        response.StatusCode = (int)answer.StatusCode;
        response.ContentType = answer.Content.Headers.ContentType?.ToString();
        await answer.Content.CopyToAsync(response.OutputStream);
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _serving;
        _node.Dispose();
    }
}
