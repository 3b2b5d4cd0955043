using System.Runtime.InteropServices;
using System.Text.Json;
using Profiles.Core.Consent;
using Profiles.Core.Touchpoints;

namespace Profiles.Core.Segment;

/// <summary>
/// Writes one event of the Segment Spec (identify, track, page, screen, alias, group) as the touchpoint object
/// <c>POST /v1/touchpoints</c> takes, so that it then goes through the same validation and ingestion as any
/// touchpoint (docs/SEGMENT.md has the mapping table). It decides only what the touchpoint rules cannot: whether
/// the event can be a touchpoint at all (size, call, identifiers) and how its parts are named; every value is
/// written as sent, and the touchpoint rules judge it.
/// Identifier values never become traits: <c>email</c> and <c>phone</c> are read as identifiers, and any trait
/// whose value is one of the event's identifier values (a <c>traits.id</c> repeating the <c>userId</c>) is left out.
/// </summary>
public sealed class SegmentEventMapper(SegmentSettings settings)
{
    /// <summary>The largest event taken, in bytes of its JSON, as Segment's own API takes.</summary>
    public const int MaxEventBytes = 32 * 1024;

    /// <summary>How deep nested trait objects are flattened; deeper parts are left out.</summary>
    private const int MaxTraitDepth = 8;

    /// <summary>Writes <paramref name="segmentEvent"/> as one touchpoint object to <paramref name="touchpoint"/>, or
    /// writes nothing and says why it is skipped.</summary>
    /// <param name="call">The call the route names (<c>/v1/track</c>: <c>track</c>), which wins over the event's own
    /// <c>type</c>; null for a batch, whose events each say theirs.</param>
    /// <param name="channel">The touchpoint's channel: that of the write key it came with.</param>
    public SegmentMapping Map(JsonElement segmentEvent, string? call, string channel, Utf8JsonWriter touchpoint)
    {
        if (segmentEvent.ValueKind != JsonValueKind.Object) return SegmentMapping.Skipped(SegmentSkipReasons.Invalid);
        if (JsonMarshal.GetRawUtf8Value(segmentEvent).Length > MaxEventBytes) return SegmentMapping.Skipped(SegmentSkipReasons.TooLarge);

        var parts = EventParts.Read(segmentEvent);
        if (!parts.AreWellFormed) return SegmentMapping.Skipped(SegmentSkipReasons.Invalid);
        call ??= Text(parts.Member("type"));
        var type = SegmentEventTypes.TouchpointType(call, Text(parts.Member("event")), settings);
        if (type is null) return SegmentMapping.Skipped(SegmentSkipReasons.UnknownType);

        var identifiers = IdentifiersOf(parts, call!, channel);
        if (identifiers.Count == 0) return SegmentMapping.Skipped(SegmentSkipReasons.NoIdentifier);

        touchpoint.WriteStartObject();
        CopyIfPresent(touchpoint, "id", parts.Member("messageId"));
        CopyIfPresent(touchpoint, "occurredAt", Present(parts.Member("timestamp")) ? parts.Member("timestamp") : parts.Member("originalTimestamp"));
        touchpoint.WriteString("channel", channel);
        touchpoint.WriteString("type", type);
        touchpoint.WriteStartArray("identifiers");
        foreach (var (identifierType, value) in identifiers)
        {
            touchpoint.WriteStartObject();
            touchpoint.WriteString("type", identifierType);
            touchpoint.WriteString("value", value);
            touchpoint.WriteEndObject();
        }
        touchpoint.WriteEndArray();
        if (call != SegmentEventTypes.Group) WriteTraits(touchpoint, parts, identifiers);
        EventProperties.Write(touchpoint, parts, call!, type);
        WriteConsent(touchpoint, parts);
        touchpoint.WriteEndObject();
        return SegmentMapping.Written;
    }

    /// <summary>
    /// <c>anonymousId</c>, <c>userId</c>, an alias's <c>previousId</c>, then the person's e-mail and phone (in
    /// <c>traits</c> first, then <c>context.traits</c>). A group's own <c>traits</c> describe the company, so its
    /// e-mail and phone are not the person's: only <c>context.traits</c> are read for a group.
    /// </summary>
    private List<(string Type, string Value)> IdentifiersOf(in EventParts parts, string call, string channel)
    {
        var anonymousType = SegmentEventTypes.AnonymousIdType(channel);
        var identifiers = new List<(string, string)>(4);
        Add(identifiers, anonymousType, parts.Member("anonymousId"));
        Add(identifiers, settings.UserIdType, parts.Member("userId"));
        if (call == SegmentEventTypes.Alias) Add(identifiers, settings.PreviousIdType ?? anonymousType, parts.Member("previousId"));
        var personTraits = call == SegmentEventTypes.Group ? default : parts.Traits;
        foreach (var type in (ReadOnlySpan<string>)["email", "phone"])
        {
            Add(identifiers, type, Member(personTraits, type) is var own && Present(own) ? own : Member(parts.ContextTraits, type));
        }
        return identifiers;

        static void Add(List<(string, string)> identifiers, string type, JsonElement value)
        {
            // Libraries send ids as strings, and some as numbers (a database's user id): both are the id as written.
            var text = value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            };
            if (!string.IsNullOrWhiteSpace(text)) identifiers.Add((type, text));
        }
    }

    /// <summary><c>traits</c>, then what <c>context.traits</c> adds, flattened: <c>address.city</c>.</summary>
    private static void WriteTraits(Utf8JsonWriter touchpoint, in EventParts parts, List<(string Type, string Value)> identifiers)
    {
        if (!Present(parts.Traits) && !Present(parts.ContextTraits)) return;
        var written = new HashSet<string>(StringComparer.Ordinal);
        touchpoint.WriteStartObject("traits");
        WriteFlat(parts.Traits, "", 0);
        WriteFlat(parts.ContextTraits, "", 0);
        touchpoint.WriteEndObject();

        void WriteFlat(JsonElement traits, string prefix, int depth)
        {
            if (traits.ValueKind != JsonValueKind.Object) return;
            foreach (var trait in traits.EnumerateObject())
            {
                if (depth == 0 && trait.Name is "email" or "phone") continue;
                var name = prefix + trait.Name;
                if (trait.Value.ValueKind == JsonValueKind.Object)
                {
                    if (depth < MaxTraitDepth) WriteFlat(trait.Value, name + ".", depth + 1);
                }
                else if (IsKept(name, trait.Value))
                {
                    touchpoint.WritePropertyName(name);
                    trait.Value.WriteTo(touchpoint);
                }
            }
        }

        // A list is not a trait (a trait is one value), nor is a name longer than a trait's may be; the first source
        // to name a trait wins.
        bool IsKept(string name, JsonElement value) =>
            value.ValueKind != JsonValueKind.Array
            && !(value.ValueKind == JsonValueKind.String && identifiers.Exists(i => value.ValueEquals(i.Value)))
            && name.Length <= TouchpointParser.MaxTraitNameLength
            && written.Add(name);
    }

    /// <summary>
    /// <c>context.consent.categoryPreferences</c> (<c>{ "Advertising": false }</c>), as a consent manager sets them, as the
    /// touchpoint's consent decisions: each mapped category's purpose, for every channel, granted for <c>true</c> and
    /// denied for <c>false</c>. A category not mapped, or whose value is not a boolean, says nothing. Two categories
    /// mapped to one purpose make two decisions of one touchpoint, and the denial wins, as it does for any touchpoint.
    /// </summary>
    private void WriteConsent(Utf8JsonWriter touchpoint, in EventParts parts)
    {
        var preferences = Member(Member(parts.Context, "consent"), "categoryPreferences");
        if (preferences.ValueKind != JsonValueKind.Object || settings.ConsentCategories.Count == 0) return;
        var started = false;
        foreach (var category in preferences.EnumerateObject())
        {
            if (!settings.ConsentCategories.TryGetValue(category.Name, out var purpose)) continue;
            if (category.Value.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) continue;
            if (!started) touchpoint.WriteStartArray("consent");
            started = true;
            touchpoint.WriteStartObject();
            touchpoint.WriteString("purpose", purpose);
            touchpoint.WriteString("status", ConsentStatus.Of(category.Value.ValueKind is JsonValueKind.True));
            touchpoint.WriteEndObject();
        }
        if (started) touchpoint.WriteEndArray();
    }

    private static void CopyIfPresent(Utf8JsonWriter writer, string name, JsonElement value)
    {
        if (!Present(value)) return;
        writer.WritePropertyName(name);
        value.WriteTo(writer);
    }

    private static string? Text(JsonElement element) => element.ValueKind == JsonValueKind.String ? element.GetString() : null;

    internal static JsonElement Member(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? value : default;

    /// <summary>Null is absent: libraries write null for what was not set.</summary>
    internal static bool Present(JsonElement element) => element.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null);

    /// <summary>The objects of an event that the mapping reads into; any of them present but not an object makes the
    /// event malformed.</summary>
    internal readonly struct EventParts
    {
        private readonly JsonElement _event;

        private EventParts(JsonElement segmentEvent)
        {
            _event = segmentEvent;
            Traits = SegmentEventMapper.Member(segmentEvent, "traits");
            Properties = SegmentEventMapper.Member(segmentEvent, "properties");
            Context = SegmentEventMapper.Member(segmentEvent, "context");
            ContextTraits = SegmentEventMapper.Member(Context, "traits");
        }

        public JsonElement Traits { get; }
        public JsonElement Properties { get; }
        public JsonElement Context { get; }
        public JsonElement ContextTraits { get; }

        public bool AreWellFormed => IsObjectOrAbsent(Traits) && IsObjectOrAbsent(Properties) && IsObjectOrAbsent(Context) && IsObjectOrAbsent(ContextTraits);

        public static EventParts Read(JsonElement segmentEvent) => new(segmentEvent);

        public JsonElement Member(string name) => SegmentEventMapper.Member(_event, name);

        private static bool IsObjectOrAbsent(JsonElement element) => !Present(element) || element.ValueKind == JsonValueKind.Object;
    }
}
