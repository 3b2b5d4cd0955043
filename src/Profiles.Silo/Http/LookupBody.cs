using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Profiles.Contracts.Http;

namespace Profiles.Silo.Http;

/// <summary>
/// The body of <c>POST /v1/profiles/lookup</c> (<see cref="LookupRequest"/>): the GET form's <c>type</c>,
/// <c>value</c> or <c>sha256</c>, and <c>fields</c>, read from JSON instead of the address. An optional member sent as
/// JSON <c>null</c> counts as absent, as in a touchpoint.
/// </summary>
public sealed record LookupBody(string? Type, string? Value, string? Sha256, string? Fields)
{
    /// <summary>A lookup names one identifier and a few parts: anything larger is not one.</summary>
    public const int MaxBytes = 16 * 1024;

    /// <summary>The members read, in the order of the record's parameters; any other member is ignored.</summary>
    private static readonly string[] Members = ["type", "value", "sha256", "fields"];

    /// <returns>The body, or the problem that says what is wrong with it, naming the member.</returns>
    public static async Task<(LookupBody? Body, ProblemHttpResult? Problem)> ReadAsync(HttpRequest request)
    {
        if (!request.HasJsonContentType())
        {
            return (null, Problems.Status(StatusCodes.Status415UnsupportedMediaType, "The body must be sent as Content-Type: application/json."));
        }
        using var body = await RequestBody.ReadAsync(request, MaxBytes);
        if (body is null) return (null, Problems.Status(StatusCodes.Status413PayloadTooLarge, $"The body is larger than the limit of {MaxBytes} bytes."));
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.Memory);
        }
        catch (JsonException e)
        {
            return (null, Problems.BadRequest($"body: is not valid JSON ({e.Message})"));
        }
        using (document)
        {
            var problem = Read(document.RootElement, out var read);
            return problem is null ? (read, null) : (null, Problems.BadRequest(problem));
        }
    }

    private static string? Read(JsonElement json, out LookupBody? body)
    {
        body = null;
        if (json.ValueKind != JsonValueKind.Object) return """body: must be an object, { "type": T, "value": V } or { "type": T, "sha256": H }.""";
        var texts = new string?[Members.Length];
        for (var i = 0; i < Members.Length; i++)
        {
            if (!json.TryGetProperty(Members[i], out var member) || member.ValueKind == JsonValueKind.Null) continue;
            if (member.ValueKind != JsonValueKind.String) return $"{Members[i]}: must be a string.";
            texts[i] = member.GetString();
        }
        body = new LookupBody(texts[0], texts[1], texts[2], texts[3]);
        return null;
    }
}
