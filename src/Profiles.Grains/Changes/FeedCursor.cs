using Profiles.Core.Paging;
using Profiles.Grains.Storage;

namespace Profiles.Grains.Changes;

/// <summary>A place in one shard's feed: Redis Stream ids are "milliseconds-sequence".</summary>
public readonly record struct StreamPosition(long Milliseconds, long Sequence) : IComparable<StreamPosition>
{
    public static readonly StreamPosition Start = new(0, 0);

    public int CompareTo(StreamPosition other)
    {
        var byTime = Milliseconds.CompareTo(other.Milliseconds);
        return byTime != 0 ? byTime : Sequence.CompareTo(other.Sequence);
    }

    public override string ToString() => $"{Milliseconds}-{Sequence}";

    public static StreamPosition Parse(string id)
    {
        var dash = id.IndexOf('-');
        return new StreamPosition(long.Parse(id.AsSpan(0, dash)), long.Parse(id.AsSpan(dash + 1)));
    }

    public static bool operator <(StreamPosition a, StreamPosition b) => a.CompareTo(b) < 0;

    public static bool operator >(StreamPosition a, StreamPosition b) => a.CompareTo(b) > 0;

    public static bool operator <=(StreamPosition a, StreamPosition b) => a.CompareTo(b) <= 0;

    public static bool operator >=(StreamPosition a, StreamPosition b) => a.CompareTo(b) >= 0;
}

/// <summary>
/// Where a feed reader is: one position per shard, since each shard's feed is its own ordered stream. Clients see
/// it as an opaque string: a version byte, then per shard the milliseconds (as an offset from the smallest
/// non-zero one, 0 for "from the start") and the sequence, as variable-length integers, as an <see cref="OpaqueCursor"/>.
/// </summary>
public sealed class FeedCursor
{
    private const byte Version = 1;

    private readonly StreamPosition[] _positions;

    private FeedCursor(StreamPosition[] positions) => _positions = positions;

    public static FeedCursor Start => new(new StreamPosition[Shards.Count]);

    public StreamPosition this[int shard] => _positions[shard];

    public FeedCursor With(int shard, StreamPosition position)
    {
        var positions = (StreamPosition[])_positions.Clone();
        positions[shard] = position;
        return new FeedCursor(positions);
    }

    public string Encode()
    {
        var baseMs = _positions.Where(p => p.Milliseconds > 0).Select(p => p.Milliseconds).DefaultIfEmpty(0).Min();
        var bytes = new List<byte>(8 + _positions.Length * 4) { Version };
        WriteVarint(bytes, (ulong)baseMs);
        foreach (var position in _positions)
        {
            WriteVarint(bytes, position.Milliseconds == 0 ? 0 : (ulong)(position.Milliseconds - baseMs + 1));
            WriteVarint(bytes, (ulong)position.Sequence);
        }
        return OpaqueCursor.Encode(bytes.ToArray());
    }

    public static bool TryParse(string text, out FeedCursor cursor)
    {
        cursor = Start;
        if (!OpaqueCursor.TryDecode(text, out var bytes)) return false;
        var at = 0;
        if (bytes[at++] != Version || !TryReadVarint(bytes, ref at, out var baseMs)) return false;
        var positions = new StreamPosition[Shards.Count];
        for (var shard = 0; shard < positions.Length; shard++)
        {
            if (!TryReadVarint(bytes, ref at, out var offset) || !TryReadVarint(bytes, ref at, out var sequence)) return false;
            if (offset > long.MaxValue / 2 || sequence > long.MaxValue / 2) return false;
            positions[shard] = new StreamPosition(offset == 0 ? 0 : (long)baseMs + (long)offset - 1, (long)sequence);
        }
        if (at != bytes.Length) return false;
        cursor = new FeedCursor(positions);
        return true;
    }

    private static void WriteVarint(List<byte> bytes, ulong value)
    {
        while (value >= 0x80)
        {
            bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }
        bytes.Add((byte)value);
    }

    private static bool TryReadVarint(byte[] bytes, ref int at, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (at >= bytes.Length) return false;
            var b = bytes[at++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) return true;
        }
        return false;
    }
}
