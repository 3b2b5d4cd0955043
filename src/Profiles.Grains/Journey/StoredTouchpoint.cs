using System.Buffers;
using System.Text.Json;
using MessagePack;
using Profiles.Core.Consent;
using Profiles.Core.Touchpoints;

namespace Profiles.Grains.Journey;

/// <summary>
/// A touchpoint as a journey hash stores it: one version byte, then its fields as a sequence of MessagePack values
/// in a fixed order, so no field name is repeated in every touchpoint. The journey is the log profiles are rebuilt
/// from, so the touchpoint comes back exactly: identifier keys (HMAC-SHA256, 64 lower-case hex characters) as their
/// 32 raw bytes, times as UTC ticks and the offset in minutes the client sent. Values the previous version wrote as
/// JSON still read: JSON starts with '{', which the version byte never is. Consent decisions come last, and only when
/// the touchpoint carries some: a touchpoint without them is stored as it always was.
/// </summary>
public static class StoredTouchpoint
{
    private const byte CompactV1 = 1;
    // The same fields, of a touchpoint whose content retention removed (Touchpoint.ContentRemoved).
    private const byte LinksOnly = 2;
    private const byte LegacyJson = (byte)'{';
    private const int KeyBytes = 32;
    private const int IdentifierFields = 4;
    private const int TraitFields = 2;
    private const int RefusedLinkFields = 7;
    private const int ConsentFields = 6;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General);
    private static readonly SearchValues<char> LowerHex = SearchValues.Create("0123456789abcdef");

    public static byte[] Encode(Touchpoint touchpoint)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        buffer.Write([touchpoint.ContentRemoved ? LinksOnly : CompactV1]);
        var writer = new MessagePackWriter(buffer);
        writer.Write(touchpoint.Id);
        WriteTime(ref writer, touchpoint.OccurredAt);
        writer.Write(touchpoint.Channel);
        writer.Write(touchpoint.Type);
        WriteItems(ref writer, touchpoint.Identifiers, IdentifierFields, static (ref writer, identifier) =>
        {
            WriteNamed(ref writer, identifier.Type, identifier.Key, identifier.Hint);
            writer.Write(identifier.FromHash);
        });
        WriteItems(ref writer, touchpoint.Traits, TraitFields, static (ref writer, trait) =>
        {
            writer.Write(trait.Name);
            writer.Write(trait.ValueJson);
        });
        writer.Write(touchpoint.PropertiesJson);
        WriteItems(ref writer, touchpoint.RefusedLinks, RefusedLinkFields, static (ref writer, link) =>
        {
            WriteNamed(ref writer, link.Type, link.Key, link.Hint);
            writer.Write(link.Reason);
            writer.Write(link.TouchpointId);
            WriteTime(ref writer, link.At);
        });
        if (touchpoint.Consent.Count > 0)
        {
            WriteItems(ref writer, touchpoint.Consent, ConsentFields, static (ref writer, decision) =>
            {
                writer.Write(decision.Purpose);
                writer.Write(decision.Channel);
                writer.Write(decision.Granted);
                writer.Write(decision.Document);
                WriteOptionalTime(ref writer, decision.ExpiresAt);
            });
        }
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    public static Touchpoint Decode(ReadOnlyMemory<byte> stored) => stored.Span switch
    {
        [CompactV1, ..] => DecodeCompact(stored[1..]),
        [LinksOnly, ..] => DecodeCompact(stored[1..]) with { ContentRemoved = true },
        [LegacyJson, ..] => JsonSerializer.Deserialize<Touchpoint>(stored.Span, Json) ?? throw new InvalidDataException("A null touchpoint in a journey."),
        [] => throw new InvalidDataException("An empty touchpoint in a journey."),
        [var version, ..] => throw new InvalidDataException($"A touchpoint stored in an unknown encoding (version byte {version})."),
    };

    private static Touchpoint DecodeCompact(ReadOnlyMemory<byte> fields)
    {
        var reader = new MessagePackReader(fields);
        var id = ReadText(ref reader);
        var occurredAt = ReadTime(ref reader);
        var channel = ReadText(ref reader);
        var type = ReadText(ref reader);
        var identifiers = ReadItems(ref reader, IdentifierFields, static (ref reader) =>
        {
            var (type, key, hint) = ReadNamed(ref reader);
            return new IdentifierRef(type, key, hint, reader.ReadBoolean());
        });
        var traits = ReadItems(ref reader, TraitFields, static (ref reader) => new TraitWrite(ReadText(ref reader), reader.ReadString()));
        var propertiesJson = reader.ReadString();
        var refusedLinks = ReadItems(ref reader, RefusedLinkFields, static (ref reader) =>
        {
            var (type, key, hint) = ReadNamed(ref reader);
            return new RefusedLink(type, key, hint, ReadText(ref reader), ReadText(ref reader), ReadTime(ref reader));
        });
        var consent = reader.End ? [] : ReadItems(ref reader, ConsentFields, static (ref reader) =>
            new ConsentDecision(ReadText(ref reader), reader.ReadString(), reader.ReadBoolean(), reader.ReadString(), ReadOptionalTime(ref reader)));
        if (!reader.End) throw new InvalidDataException("A stored touchpoint has more fields than this version writes.");
        return new Touchpoint(id, occurredAt, channel, type, identifiers, traits, propertiesJson) { RefusedLinks = refusedLinks, Consent = consent };
    }

    private delegate void ItemWriter<in T>(ref MessagePackWriter writer, T item);

    private delegate T ItemReader<out T>(ref MessagePackReader reader);

    /// <summary>Each item is an array of its fields, so a reader checks it has them all before it builds one.</summary>
    private static void WriteItems<T>(ref MessagePackWriter writer, IReadOnlyList<T> items, int fields, ItemWriter<T> writeFields)
    {
        writer.WriteArrayHeader(items.Count);
        foreach (var item in items)
        {
            writer.WriteArrayHeader(fields);
            writeFields(ref writer, item);
        }
    }

    private static T[] ReadItems<T>(ref MessagePackReader reader, int fields, ItemReader<T> readFields)
    {
        var items = new T[reader.ReadArrayHeader()];
        for (var i = 0; i < items.Length; i++)
        {
            if (reader.ReadArrayHeader() != fields) throw new InvalidDataException($"A stored touchpoint item does not have its {fields} fields.");
            items[i] = readFields(ref reader);
        }
        return items;
    }

    /// <summary>The offset is kept apart from the instant: the journey answers the time as the client sent it.</summary>
    private static void WriteTime(ref MessagePackWriter writer, DateTimeOffset time)
    {
        writer.Write(time.UtcTicks);
        writer.Write((short)time.TotalOffsetMinutes);
    }

    private static DateTimeOffset ReadTime(ref MessagePackReader reader)
    {
        var utc = new DateTimeOffset(reader.ReadInt64(), TimeSpan.Zero);
        return utc.ToOffset(TimeSpan.FromMinutes(reader.ReadInt16()));
    }

    /// <summary>An absent time is two nils, so the item keeps its field count.</summary>
    private static void WriteOptionalTime(ref MessagePackWriter writer, DateTimeOffset? time)
    {
        if (time is { } value)
        {
            WriteTime(ref writer, value);
            return;
        }
        writer.WriteNil();
        writer.WriteNil();
    }

    private static DateTimeOffset? ReadOptionalTime(ref MessagePackReader reader)
    {
        if (!reader.TryReadNil()) return ReadTime(ref reader);
        reader.ReadNil();
        return null;
    }

    /// <summary>An identifier as a touchpoint or a refused link names it: its type, stored key and masked hint.</summary>
    private static void WriteNamed(ref MessagePackWriter writer, string type, string key, string hint)
    {
        writer.Write(type);
        WriteKey(ref writer, key);
        writer.Write(hint);
    }

    private static (string Type, string Key, string Hint) ReadNamed(ref MessagePackReader reader) =>
        (ReadText(ref reader), ReadKey(ref reader), ReadText(ref reader));

    /// <summary>A key that is not the usual lower-case hex (none is, but a journey must never lose one) stays text:
    /// MessagePack tells binary and text apart, so reading needs no flag.</summary>
    private static void WriteKey(ref MessagePackWriter writer, string key)
    {
        if (key.Length == KeyBytes * 2 && !key.AsSpan().ContainsAnyExcept(LowerHex)) writer.Write(Convert.FromHexString(key));
        else writer.Write(key);
    }

    private static string ReadKey(ref MessagePackReader reader) =>
        reader.NextMessagePackType == MessagePackType.Binary
            ? Convert.ToHexStringLower(reader.ReadBytes()!.Value.ToArray())
            : ReadText(ref reader);

    private static string ReadText(ref MessagePackReader reader) =>
        reader.ReadString() ?? throw new InvalidDataException("A stored touchpoint lacks a required text field.");
}
