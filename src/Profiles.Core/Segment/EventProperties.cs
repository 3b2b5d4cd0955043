using System.Text.Json;
using static Profiles.Core.Segment.SegmentEventMapper;

namespace Profiles.Core.Segment;

/// <summary>
/// The touchpoint's <c>properties</c> from a Segment event: its <c>properties</c>, then what the event says elsewhere
/// and they lack: a page's or screen's <c>name</c>, a group's <c>groupId</c> and traits (they describe a company, not
/// the person), the page's <c>url</c>, <c>path</c> and <c>referrer</c> and the <c>campaign</c> from <c>context</c>,
/// and a purchase's <c>amount</c> from its <c>revenue</c>, else its <c>total</c>. The rest of <c>context</c> (ip,
/// user agent, library) is not kept.
/// </summary>
internal static class EventProperties
{
    public static void Write(Utf8JsonWriter touchpoint, EventParts parts, string call, string touchpointType)
    {
        if (!HasAny(parts, call)) return;
        var written = new HashSet<string>(StringComparer.Ordinal);
        touchpoint.WriteStartObject("properties");
        WriteMembers(parts.Properties);
        if (call == SegmentEventTypes.Group)
        {
            WriteMembers(parts.Traits);
            Add("groupId", parts.Member("groupId"));
        }
        if (call is SegmentEventTypes.Page or SegmentEventTypes.Screen) Add("name", parts.Member("name"));
        var page = Member(parts.Context, "page");
        Add("url", Member(page, "url"));
        Add("path", Member(page, "path"));
        Add("referrer", Member(page, "referrer"));
        Add("campaign", Member(parts.Context, "campaign"));
        if (touchpointType == "purchase" && !written.Contains("amount"))
        {
            var revenue = Member(parts.Properties, "revenue");
            Add("amount", Present(revenue) ? revenue : Member(parts.Properties, "total"));
        }
        touchpoint.WriteEndObject();

        void WriteMembers(JsonElement members)
        {
            if (members.ValueKind != JsonValueKind.Object) return;
            foreach (var member in members.EnumerateObject()) Add(member.Name, member.Value);
        }

        void Add(string name, JsonElement value)
        {
            if (!Present(value) || !written.Add(name)) return;
            touchpoint.WritePropertyName(name);
            value.WriteTo(touchpoint);
        }
    }

    /// <summary>Whether there is anything to write: a touchpoint without properties keeps none, rather than an empty object.</summary>
    private static bool HasAny(EventParts parts, string call)
    {
        var page = Member(parts.Context, "page");
        return HasMembers(parts.Properties)
               || call == SegmentEventTypes.Group && (HasMembers(parts.Traits) || Present(parts.Member("groupId")))
               || call is SegmentEventTypes.Page or SegmentEventTypes.Screen && Present(parts.Member("name"))
               || Present(Member(page, "url")) || Present(Member(page, "path")) || Present(Member(page, "referrer"))
               || Present(Member(parts.Context, "campaign"));
    }

    private static bool HasMembers(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object && element.EnumerateObject().MoveNext();
}
