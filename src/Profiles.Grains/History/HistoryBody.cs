using System.Buffers;
using MessagePack;
using Profiles.Core.Touchpoints;
using Profiles.Grains.Journey;

namespace Profiles.Grains.History;

/// <summary>
/// A moved item as its row's body holds it: the stored form (<see cref="StoredTouchpoint"/>) without the id and the
/// instant, which the row's key columns hold already, so a row does not carry them twice. A stored form of another
/// shape (journeys written as JSON by earlier versions) is kept whole.
/// </summary>
public static class HistoryBody
{
    // The stored form's own version byte, and the one a body without id and instant starts with instead: a byte no
    // stored form starts with (their versions count up from 1, and JSON starts with '{'), so a stored form kept whole,
    // a links-only one (version 2) included, never reads as a body without its key.
    private const byte CompactV1 = 1;
    private const byte Keyless = 0xC1;

    public static byte[] Of(byte[] stored)
    {
        if (stored is not [CompactV1, ..]) return stored;
        var reader = new MessagePackReader(stored.AsMemory(1));
        reader.Skip(); // id
        reader.Skip(); // UTC ticks; the offset and every field after it stay
        var rest = stored.AsSpan(1 + (int)reader.Consumed);
        return [Keyless, .. rest];
    }

    public static Touchpoint Read(HistoryRow row)
    {
        if (row.Body is not [Keyless, ..]) return StoredTouchpoint.Decode(row.Body);
        var buffer = new ArrayBufferWriter<byte>(row.Body.Length + 32);
        buffer.Write([CompactV1]);
        var writer = new MessagePackWriter(buffer);
        writer.Write(row.Id);
        writer.Write(row.Occurred);
        writer.Flush();
        buffer.Write(row.Body.AsSpan(1));
        return StoredTouchpoint.Decode(buffer.WrittenMemory);
    }
}
