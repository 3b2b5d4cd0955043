using System.Diagnostics;
using System.Net;

namespace Profiles.Bench.Faults;

/// <summary>
/// How the checks read once the faults are healed: a request answered 503 or not reached is sent again, as a client
/// would, for up to <see cref="Patience"/> (a node just started may still be taking its grains over). A 5xx other
/// than 503 is noted in the schedule's <see cref="AnswerLog"/>, and handed back.
/// </summary>
public sealed class PatientReads(IReadOnlyList<Uri> targets, AnswerLog log) : DelegatingHandler
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var node = targets.ToList().FindIndex(t => t.Authority == request.RequestUri?.Authority);
        var start = Stopwatch.GetTimestamp();
        while (true)
        {
            var late = Stopwatch.GetElapsedTime(start) > Patience;
            try
            {
                var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
                if (AnswerLog.IsServerError((int)response.StatusCode))
                    log.NoteServerError(node, (int)response.StatusCode, $"{request.Method} {request.RequestUri?.AbsolutePath}", await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
                if (response.StatusCode != HttpStatusCode.ServiceUnavailable || late) return response;
                response.Dispose();
            }
            catch (HttpRequestException) when (!late)
            {
            }
            await Task.Delay(500, cancellationToken).ConfigureAwait(false);
        }
    }
}
