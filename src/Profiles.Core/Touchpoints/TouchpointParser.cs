using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using Profiles.Core.Consent;
using Profiles.Core.Identifiers;
using Profiles.Core.Resolution;
using Profiles.Core.Rules;

namespace Profiles.Core.Touchpoints;

/// <summary>
/// Validates one touchpoint object of <c>POST /v1/touchpoints</c> against the rules of docs/API.md, "Touchpoints in", and turns it into
/// a <see cref="Touchpoint"/>, with identifiers already hashed so no clear value goes further than this.
/// The first malformed field rejects the touchpoint with "&lt;field path&gt;: &lt;why&gt;". An identifier whose value
/// is invalid for its type or blocked is only left out and listed as ignored: the touchpoint is rejected for it
/// only when no identifier is left to link it to; so is a consent decision that cannot be read.
/// Runs for every touchpoint, so it reads the element in one pass and reuses per-thread buffers.
/// </summary>
public sealed partial class TouchpointParser(IdentifierReader reader, IdentityRules rules, TimeProvider time, ConsentPurposes purposes)
{
    public const int MaxIdLength = 128;
    public const int MaxIdentifiers = 20;
    public const int MaxTraitNameLength = 64;
    public const int MaxTypeLength = 64;
    public const int MaxPropertiesBytes = 16 * 1024;
    public static readonly TimeSpan MaxFutureSkew = TimeSpan.FromHours(24);

    // Characters of the SHA-256 kept in a derived id: 128 bits make an accidental collision between two
    // different touchpoints (which would drop one as a duplicate) practically impossible.
    private const int DerivedIdHexLength = 32;

    private const string OccurredAtError = "occurredAt: must be an ISO-8601 date-time with offset";

    // Offset-bearing ISO-8601 spellings only: a local time without offset would be read in the server's zone,
    // and servers of one cluster may not agree on it. "Z" forms are parsed with AssumeUniversal.
    private static readonly string[] OccurredAtFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'",
        "yyyy-MM-dd'T'HH:mmzzz",
        "yyyy-MM-dd'T'HH:mm'Z'",
    ];

    // Properties are served back as JSON data, never pasted into HTML by us; the default encoder would escape
    // every non-ASCII character ("é" -> "\u00E9") and so count a French or Japanese text several times
    // against the 16 KiB limit.
    private static readonly JsonWriterOptions CompactWriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    [ThreadStatic]
    private static Scratch? t_scratch;

    public TouchpointParseResult Parse(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
            return TouchpointParseResult.Rejected(null, "touchpoint must be a JSON object");

        var fields = Fields.Read(element);
        var clientId = fields.Id.ValueKind == JsonValueKind.String ? fields.Id.GetString() : null;

        var scratch = t_scratch ??= new Scratch();
        try
        {
            var error = Read(fields, clientId, scratch, out var touchpoint, out var ignored);
            return error is null ? TouchpointParseResult.Ok(touchpoint!, ignored) : TouchpointParseResult.Rejected(clientId, error);
        }
        catch
        {
            // A half-used hash or writer must not leak into the next touchpoint parsed on this thread.
            t_scratch = null;
            throw;
        }
        finally
        {
            // One huge properties object must not keep a large buffer alive on every thread that saw one.
            if (scratch.Buffer.Capacity > Scratch.KeptCapacity)
                t_scratch = null;
        }
    }

    /// <returns>Null when valid, else the error.</returns>
    private string? Read(in Fields fields, string? clientId, Scratch scratch, out Touchpoint? touchpoint, out IReadOnlyList<IgnoredIdentifier> ignored)
    {
        touchpoint = null;
        ignored = [];

        if (IsPresent(fields.Id) && (clientId is null || !IsValidId(clientId)))
            return "id: must be 1-128 printable characters";

        var occurredAtError = ReadOccurredAt(fields.OccurredAt, out var occurredAt, out var occurredAtText);
        if (occurredAtError is not null)
            return occurredAtError;

        var channelError = ReadRequired(fields.Channel, "channel", ChannelPattern(), "[a-z0-9_]{1,32}", out var channel);
        if (channelError is not null)
            return channelError;

        var typeError = ReadRequired(fields.Type, "type", TypePattern(), "[a-z0-9_.]{1,64}", out var type);
        if (typeError is not null)
            return typeError;
        // An operator's corrections separate or rejoin customers: only the unlink and relink routes write them.
        if (OperatorEntry.IsOperatorType(type))
            return $"type: {type} is written by the unlink and relink routes, not sent";

        var identifiersError = ReadIdentifiers(fields.Identifiers, out var identifiers, out ignored);
        if (identifiersError is not null)
            return identifiersError;
        var consent = ReadConsent(fields.Consent, ref ignored);

        var traitsError = ReadTraits(fields.Traits, out var traits);
        if (traitsError is not null)
            return traitsError;

        var propertiesError = WriteCompactProperties(fields.Properties, scratch);
        if (propertiesError is not null)
            return propertiesError;
        var compactProperties = scratch.Buffer.WrittenSpan;
        var hasProperties = IsPresent(fields.Properties);

        var id = clientId ?? DeriveId(scratch.Hash, channel, type, occurredAtText, identifiers, traits, compactProperties, consent);
        touchpoint = new Touchpoint(
            id,
            occurredAt,
            channel,
            type,
            identifiers,
            traits,
            hasProperties ? Encoding.UTF8.GetString(compactProperties) : null) { Consent = consent };
        return null;
    }

    private static bool IsValidId(string id)
    {
        if (id.Length is 0 or > MaxIdLength)
            return false;
        foreach (var c in id)
        {
            if (char.IsControl(c))
                return false;
        }
        return true;
    }

    private string? ReadOccurredAt(JsonElement element, out DateTimeOffset occurredAt, out string? text)
    {
        var now = time.GetUtcNow();
        occurredAt = now;
        text = null;
        if (!IsPresent(element))
            return null;
        if (element.ValueKind != JsonValueKind.String)
            return OccurredAtError;

        text = element.GetString()!;
        if (!TryParseIsoWithOffset(text, out occurredAt))
            return OccurredAtError;
        // Clocks drift and devices lie; a day of tolerance covers time zones and sloppy clocks, beyond that a
        // future date would pin "last seen" and trait ordering ahead of every genuine touchpoint.
        if (occurredAt > now + MaxFutureSkew)
            return "occurredAt: is more than 24 h in the future";
        return null;
    }

    private static bool TryParseIsoWithOffset(string text, out DateTimeOffset value)
    {
        const DateTimeStyles styles = DateTimeStyles.AssumeUniversal;
        if (DateTimeOffset.TryParseExact(text, OccurredAtFormats, CultureInfo.InvariantCulture, styles, out value))
            return true;

        // .NET keeps 7 fractional digits (100 ns), but Java's Instant and Go's RFC 3339 write 9: drop the
        // digits beyond the 7th instead of rejecting a perfectly good time.
        const int keptDigits = 7;
        var dot = text.IndexOf('.');
        if (dot < 0 || text.Length > 64)
            return false;
        var end = dot + 1;
        while (end < text.Length && char.IsAsciiDigit(text[end]))
            end++;
        if (end - dot - 1 <= keptDigits)
            return false;
        Span<char> trimmed = stackalloc char[64];
        text.AsSpan(0, dot + 1 + keptDigits).CopyTo(trimmed);
        var length = dot + 1 + keptDigits;
        text.AsSpan(end).CopyTo(trimmed[length..]);
        length += text.Length - end;
        return DateTimeOffset.TryParseExact(trimmed[..length], OccurredAtFormats, CultureInfo.InvariantCulture, styles, out value);
    }

    private static string? ReadRequired(JsonElement element, string field, Regex pattern, string patternText, out string value)
    {
        value = "";
        if (!IsPresent(element))
            return $"{field}: is required";
        if (element.ValueKind != JsonValueKind.String)
            return $"{field}: must be a string";
        value = element.GetString()!;
        return pattern.IsMatch(value) ? null : $"{field}: must match {patternText}";
    }

    /// <param name="ignored">Identifiers left out, invalid or blocked: noted in the result, never linked.</param>
    private string? ReadIdentifiers(JsonElement element, out IdentifierRef[] identifiers, out IReadOnlyList<IgnoredIdentifier> ignored)
    {
        identifiers = [];
        ignored = [];
        if (!IsPresent(element))
            return "identifiers: is required";
        if (element.ValueKind != JsonValueKind.Array)
            return "identifiers: must be an array";
        var length = element.GetArrayLength();
        if (length is 0 or > MaxIdentifiers)
            return $"identifiers: must hold 1 to {MaxIdentifiers} identifiers";

        var read = new IdentifierRef[length];
        var count = 0;
        var index = 0;
        List<IgnoredIdentifier>? leftOut = null;
        foreach (var item in element.EnumerateArray())
        {
            var error = ReadIdentifier(item, index, out var identifier, out var ignoredOne);
            if (error is not null)
                return error;
            if (identifier is null)
                (leftOut ??= []).Add(ignoredOne!);
            else
                AddCollapsingDuplicates(read, ref count, identifier);
            index++;
        }
        if (leftOut is not null)
            ignored = leftOut;
        if (count == 0)
            return NothingToLink(leftOut!);

        identifiers = count == read.Length ? read : read[..count];
        // Strongest first: the touchpoint belongs to the profile of its first identifier.
        Array.Sort(identifiers, rules.Compare);
        return null;
    }

    /// <returns>The error when the item is malformed, which rejects the touchpoint. Otherwise null, and either
    /// <paramref name="identifier"/> is set or <paramref name="ignored"/> says why the value was left out.</returns>
    private string? ReadIdentifier(JsonElement item, int index, out IdentifierRef? identifier, out IgnoredIdentifier? ignored)
    {
        identifier = null;
        ignored = null;
        if (item.ValueKind != JsonValueKind.Object)
            return $"identifiers[{index}]: must be an object";

        item.TryGetProperty("type"u8, out var typeElement);
        if (!IsPresent(typeElement))
            return $"identifiers[{index}].type: is required";
        if (typeElement.ValueKind != JsonValueKind.String)
            return $"identifiers[{index}].type: must be a string";
        var type = typeElement.GetString()!;
        if (!IdentifierNormalizer.IsValidType(type))
            return $"identifiers[{index}].type: must match [a-z0-9_]{{1,32}}";

        if (!TryReadOptionalString(item, "value"u8, out var value))
            return $"identifiers[{index}].value: must be a string";
        if (!TryReadOptionalString(item, "sha256"u8, out var sha256))
            return $"identifiers[{index}].sha256: must be a string";
        if (value is not null && sha256 is not null)
            return $"identifiers[{index}]: give either value or sha256, not both";
        if (value is null && sha256 is null)
            return $"identifiers[{index}]: value or sha256 is required";

        // The shape of the item is the client's code and is wrong for every touchpoint it sends, so it rejects;
        // a value is what a customer or a clerk typed, wrong for this touchpoint only, so it is left out.
        if (value is not null && rules.Blocked.IsBlockedSpelling(type, value))
            ignored = IgnoredIdentifier.Blocked(ValueField(index, value));
        else if (!reader.TryRead(type, value, sha256, out var read, out var error))
            ignored = IgnoredIdentifier.Invalid(ValueField(index, value), error);
        else if (rules.Blocked.IsBlocked(read))
            ignored = IgnoredIdentifier.Blocked(ValueField(index, value));
        else
            identifier = read;
        return null;
    }

    private static string ValueField(int index, string? value) =>
        value is not null ? $"identifiers[{index}].value" : $"identifiers[{index}].sha256";

    // The error names the first invalid value: that is what a client can correct and resend. A placeholder never
    // links, so a touchpoint of placeholders only is told so as a whole.
    private static string NothingToLink(List<IgnoredIdentifier> ignored) =>
        ignored.Find(i => i.Reason == IgnoredIdentifier.InvalidReason) is { } invalid
            ? $"{invalid.Field}: {invalid.Detail}"
            : "identifiers: every identifier is a blocked placeholder value (such as test@test.com), so there is nothing to link this touchpoint to";

    // The same identifier twice in one touchpoint (a form sending the e-mail as login and as contact) is one
    // link, not two; a clear spelling wins over a hash-only one because its hint is useful to staff.
    private static void AddCollapsingDuplicates(IdentifierRef[] identifiers, ref int count, IdentifierRef identifier)
    {
        for (var i = 0; i < count; i++)
        {
            if (identifiers[i].Key != identifier.Key)
                continue;
            if (identifiers[i].FromHash && !identifier.FromHash)
                identifiers[i] = identifier;
            return;
        }
        identifiers[count++] = identifier;
    }

    private static string? ReadTraits(JsonElement element, out IReadOnlyList<TraitWrite> traits)
    {
        traits = [];
        if (!IsPresent(element))
            return null;
        if (element.ValueKind != JsonValueKind.Object)
            return "traits: must be an object";

        List<TraitWrite>? writes = null;
        foreach (var trait in element.EnumerateObject())
        {
            var name = trait.Name;
            if (name.Length is 0 or > MaxTraitNameLength)
                return $"traits: names must be 1 to {MaxTraitNameLength} characters";
            var value = trait.Value;
            switch (value.ValueKind)
            {
                case JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False:
                    (writes ??= []).Add(new TraitWrite(name, value.GetRawText()));
                    break;
                case JsonValueKind.Null:
                    (writes ??= []).Add(new TraitWrite(name, null));
                    break;
                default:
                    return $"traits.{name}: must be a string, number, boolean or null";
            }
        }
        if (writes is not null)
            traits = writes;
        return null;
    }

    /// <summary>Leaves the compact JSON of <c>properties</c> in the scratch buffer (empty when absent).</summary>
    private static string? WriteCompactProperties(JsonElement element, Scratch scratch)
    {
        scratch.Buffer.ResetWrittenCount();
        if (!IsPresent(element))
            return null;
        if (element.ValueKind != JsonValueKind.Object)
            return "properties: must be a JSON object";

        // The limit is on the compact form, so indentation in the request does not count against a client.
        scratch.Writer.Reset(scratch.Buffer);
        element.WriteTo(scratch.Writer);
        scratch.Writer.Flush();
        return scratch.Buffer.WrittenCount > MaxPropertiesBytes ? "properties: is larger than 16 KiB" : null;
    }

    /// <summary>
    /// "h" + 32 hex of SHA-256 over the content, '\n'-separated: channel, type, occurredAt as sent ("" when
    /// absent: the receipt time differs between a request and its retry, and the retry must be recognised),
    /// sorted identifier keys, traits in order, compact properties, then the consent decisions when there are any
    /// (so a touchpoint without them keeps the id it always had). Only the identifiers and decisions the touchpoint
    /// keeps take part: an ignored one is not stored, and a retry under the same rules ignores it again, so the id is
    /// a function of what is stored.
    /// </summary>
    private static string DeriveId(
        IncrementalHash hash,
        string channel,
        string type,
        string? occurredAtText,
        IdentifierRef[] identifiers,
        IReadOnlyList<TraitWrite> traits,
        ReadOnlySpan<byte> compactProperties,
        IReadOnlyList<ConsentDecision> consent)
    {
        AppendText(hash, channel);
        AppendText(hash, "\n");
        AppendText(hash, type);
        AppendText(hash, "\n");
        AppendText(hash, occurredAtText ?? "");
        AppendText(hash, "\n");

        // Sorted so that listing the same identifiers in another order is the same touchpoint.
        var keys = new string[identifiers.Length];
        for (var i = 0; i < keys.Length; i++)
            keys[i] = identifiers[i].Key;
        Array.Sort(keys, StringComparer.Ordinal);
        for (var i = 0; i < keys.Length; i++)
        {
            AppendText(hash, keys[i]);
            AppendText(hash, ",");
        }
        AppendText(hash, "\n");

        // Names are length-prefixed and values are self-delimiting JSON scalars, so no name or value can be
        // crafted to read as a different list of traits.
        Span<char> number = stackalloc char[11];
        foreach (var trait in traits)
        {
            trait.Name.Length.TryFormat(number, out var digits, provider: CultureInfo.InvariantCulture);
            AppendText(hash, number[..digits]);
            AppendText(hash, ":");
            AppendText(hash, trait.Name);
            AppendText(hash, "=");
            AppendText(hash, trait.ValueJson ?? "null");
        }
        AppendText(hash, "\n");
        hash.AppendData(compactProperties);
        if (consent.Count > 0)
        {
            AppendText(hash, "\n");
            // Sorted, so listing the same decisions in another order is the same touchpoint; each part is
            // length-prefixed, so no text can be crafted to read as other decisions.
            foreach (var decision in consent.Select(DerivedIdText).Order(StringComparer.Ordinal))
            {
                AppendText(hash, decision);
            }
        }

        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        hash.GetHashAndReset(digest);
        return string.Concat("h", Convert.ToHexStringLower(digest[..(DerivedIdHexLength / 2)]));
    }

    private static void AppendText(IncrementalHash hash, ReadOnlySpan<char> text)
    {
        // Chunks small enough for the stack (3 UTF-8 bytes per char at most), never split inside a surrogate pair.
        const int chunkChars = 256;
        Span<byte> buffer = stackalloc byte[chunkChars * 3];
        while (!text.IsEmpty)
        {
            var take = Math.Min(text.Length, chunkChars);
            if (take < text.Length && char.IsHighSurrogate(text[take - 1]))
                take--;
            var written = Encoding.UTF8.GetBytes(text[..take], buffer);
            hash.AppendData(buffer[..written]);
            text = text[take..];
        }
    }

    private static bool TryReadOptionalString(JsonElement item, ReadOnlySpan<byte> name, out string? value)
    {
        value = null;
        if (!item.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
            return true;
        if (element.ValueKind != JsonValueKind.String)
            return false;
        value = element.GetString();
        return true;
    }

    // Optional fields sent as JSON null are treated as absent: many serialisers write nulls for unset members.
    private static bool IsPresent(JsonElement element) =>
        element.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null);

    private static Regex ChannelPattern() => ChannelKinds.NamePattern();

    [GeneratedRegex(@"^[a-z0-9_.]{1,64}\z", RegexOptions.CultureInvariant)]
    private static partial Regex TypePattern();

    /// <summary>True when <paramref name="type"/> is a well-formed touchpoint type.</summary>
    public static bool IsValidType(string type) => TypePattern().IsMatch(type);

    /// <summary>The top-level fields we know, found in one pass; unknown fields are ignored, and for a field
    /// repeated in the object the last one wins, as in most JSON readers.</summary>
    private readonly struct Fields
    {
        public JsonElement Id { get; private init; }
        public JsonElement OccurredAt { get; private init; }
        public JsonElement Channel { get; private init; }
        public JsonElement Type { get; private init; }
        public JsonElement Identifiers { get; private init; }
        public JsonElement Traits { get; private init; }
        public JsonElement Properties { get; private init; }
        public JsonElement Consent { get; private init; }

        public static Fields Read(JsonElement element)
        {
            JsonElement id = default, occurredAt = default, channel = default, type = default,
                identifiers = default, traits = default, properties = default, consent = default;
            foreach (var property in element.EnumerateObject())
            {
                if (property.NameEquals("id"u8)) id = property.Value;
                else if (property.NameEquals("occurredAt"u8)) occurredAt = property.Value;
                else if (property.NameEquals("channel"u8)) channel = property.Value;
                else if (property.NameEquals("type"u8)) type = property.Value;
                else if (property.NameEquals("identifiers"u8)) identifiers = property.Value;
                else if (property.NameEquals("traits"u8)) traits = property.Value;
                else if (property.NameEquals("properties"u8)) properties = property.Value;
                else if (property.NameEquals("consent"u8)) consent = property.Value;
            }
            return new Fields
            {
                Id = id, OccurredAt = occurredAt, Channel = channel, Type = type,
                Identifiers = identifiers, Traits = traits, Properties = properties, Consent = consent,
            };
        }
    }

    /// <summary>Per-thread buffers reused across touchpoints; Parse is synchronous, so a thread never
    /// interleaves two uses.</summary>
    private sealed class Scratch
    {
        public const int KeptCapacity = 64 * 1024;

        public Scratch() => Writer = new Utf8JsonWriter(Buffer, CompactWriterOptions);

        public ArrayBufferWriter<byte> Buffer { get; } = new(4 * 1024);
        public Utf8JsonWriter Writer { get; }
        public IncrementalHash Hash { get; } = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    }
}
