namespace Profiles.Contracts;

/// <summary>How many touchpoints travel together: one <c>POST /v1/touchpoints</c>, or one call of the .NET client's
/// <c>IngestAsync</c>, carries at most <see cref="MaxSize"/>; a larger batch is refused whole (docs/API.md,
/// "Touchpoints in").</summary>
public static class TouchpointBatch
{
    public const int MaxSize = 1000;
}
