using Profiles.Contracts;
using Profiles.Contracts.Http;

namespace Profiles.Bench;

/// <summary>How a profile shows in a report: id, touchpoints and identifiers by type (their keys are HMACs the bench
/// cannot compute, so it names identifiers by looking them up).</summary>
public static class ProfileReport
{
    public static int IdentifiersOf(this Profile profile, string type) => profile.Identifiers.Count(i => i.Type == type);

    public static string Describe(ApiResult<Profile> answer) => answer.Succeeded ? $"found {Describe(answer.Value)}" : $"answered {Refusal(answer)}";

    public static string Describe(Profile profile) =>
        $"{profile.ProfileId} ({profile.Touchpoints} touchpoints; {string.Join(", ", profile.Identifiers.GroupBy(i => i.Type).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}"))})";

    /// <summary>What a refused call said, for a report line: <c>404: No profile holds this email.</c></summary>
    public static string Refusal<T>(ApiResult<T> answer) =>
        answer.Succeeded ? $"{(int)answer.Status}" : $"{(int)answer.Status}: {(answer.Problem.Detail ?? answer.Problem.Title)?.ReplaceLineEndings(" ")}";
}
