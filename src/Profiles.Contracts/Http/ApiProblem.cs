namespace Profiles.Contracts.Http;

/// <summary>Why the node refused a call: the application/problem+json body every refusal of the API carries
/// (docs/API.md, "Errors"). An answer that is not one (a proxy's error page) is kept as <see cref="Detail"/>, cut to
/// <see cref="MaxForeignDetail"/> characters.</summary>
/// <param name="Detail">The human-readable reason, naming the field at fault: <c>cursor: is not a cursor this API
/// returned.</c></param>
public sealed record ApiProblem(string? Type, string? Title, int? Status, string? Detail)
{
    public const int MaxForeignDetail = 200;
}
