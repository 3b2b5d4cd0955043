using Profiles.Core.Touchpoints;

namespace Profiles.Core.Segment;

/// <summary>The six calls of the Segment Spec and the touchpoint type each becomes.</summary>
public static class SegmentEventTypes
{
    public const string Identify = "identify";
    public const string Track = "track";
    public const string Page = "page";
    public const string Screen = "screen";
    public const string Alias = "alias";
    public const string Group = "group";

    public static readonly IReadOnlyList<string> All = [Identify, Track, Page, Screen, Alias, Group];

    /// <summary>The touchpoint type of an event of <paramref name="call"/>; for a track, of its <paramref name="eventName"/>.
    /// Null when the call is not one of <see cref="All"/> or a track has no name to go by.</summary>
    public static string? TouchpointType(string? call, string? eventName, SegmentSettings settings) => call switch
    {
        Identify => "identify",
        Page => "page_view",
        Screen => "screen_view",
        Alias => "alias",
        Group => "group",
        Track when !string.IsNullOrEmpty(eventName) =>
            settings.EventTypes.TryGetValue(eventName, out var mapped) ? mapped : SnakeCase(eventName),
        _ => null,
    };

    /// <summary>
    /// A free event name as a touchpoint type: lower-cased, each run of characters outside <c>[a-z0-9]</c> made one
    /// <c>_</c>, cut to <see cref="TouchpointParser.MaxTypeLength"/> characters ("Product Viewed" is
    /// <c>product_viewed</c>). Nothing is trimmed, so two names that differ only by surrounding punctuation stay apart.
    /// </summary>
    public static string SnakeCase(string eventName)
    {
        var lower = eventName.ToLowerInvariant();
        var snake = new System.Text.StringBuilder(Math.Min(lower.Length, TouchpointParser.MaxTypeLength));
        var inRun = false;
        foreach (var c in lower)
        {
            if (snake.Length == TouchpointParser.MaxTypeLength) break;
            if (char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c))
            {
                snake.Append(c);
                inRun = false;
            }
            else if (!inRun)
            {
                snake.Append('_');
                inRun = true;
            }
        }
        return snake.ToString();
    }

    /// <summary>The identifier type of <c>anonymousId</c>: the app's device id on the app channel, else a cookie.</summary>
    public static string AnonymousIdType(string channel) => channel == "app" ? "device_id" : "cookie";
}
