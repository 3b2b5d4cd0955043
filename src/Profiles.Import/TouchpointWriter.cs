using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Profiles.Import;

/// <summary>What a row says for its touchpoint: cells trimmed, empty ones left out.</summary>
public sealed record RowContent(
    IReadOnlyList<(IdentifierColumn Column, string Value)> Identifiers,
    IReadOnlyList<(TraitColumn Column, string Value)> Traits,
    string? OccurredAt);

/// <summary>
/// Turns rows into touchpoints of <c>POST /v1/touchpoints</c> and node errors back into the row's columns.
/// <see cref="Write"/> is for the one thread that reads the file (it reuses a hash); <see cref="Explain"/> is
/// safe from any.
/// </summary>
public sealed partial class TouchpointWriter(RowMapping mapping, string fileName)
{
    private const string IdPrefix = "import-";

    // 128 bits of the content hash: two different rows never share an id by accident (one would be dropped as a
    // duplicate), and the id stays short in every journey entry.
    private const int IdHexLength = 32;

    // Names the encoding of the hashed content; a change to it must change this, or re-runs would not be duplicates.
    private static readonly byte[] IdVersion = "profiles-import/1"u8.ToArray();

    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _lengthPrefix = new byte[4];

    /// <param name="reason">Why the row is not sent at all, when it cannot make a touchpoint.</param>
    public bool TryRead(CrmRow row, out RowContent content, out string reason)
    {
        content = null!;
        if (row.Cells.Length != mapping.Width)
        {
            reason = $"the row has {row.Cells.Length} fields where the header has {mapping.Width}: a value holding the separator or a quote must be quoted";
            return false;
        }
        var identifiers = Present(row, mapping.Identifiers, c => c.Index);
        if (identifiers.Count == 0)
        {
            var columns = mapping.Identifiers.Select(c => c.Name).Distinct().ToList();
            reason = $"no identifier: {string.Join(", ", columns)} {(columns.Count == 1 ? "is" : "are")} empty";
            return false;
        }
        var occurredAt = mapping.OccurredAt is { } at && row.Cells[at].Trim() is { Length: > 0 } when ? when : null;
        content = new RowContent(identifiers, Present(row, mapping.Traits, c => c.Index), occurredAt);
        reason = "";
        return true;
    }

    // Runs for every row of files of millions: plain loops, no LINQ, since the import shares the CPU with the node.
    private static List<(T Column, string Value)> Present<T>(CrmRow row, IReadOnlyList<T> columns, Func<T, int> index)
    {
        var present = new List<(T, string)>(columns.Count);
        foreach (var column in columns)
        {
            var value = row.Cells[index(column)].Trim();
            if (value.Length > 0) present.Add((column, value));
        }
        return present;
    }

    /// <summary>Writes the row's touchpoint object. Its id is derived from what the row says, so the same row
    /// imported again, from this file or another, answers <c>duplicate</c>.</summary>
    public void Write(Utf8JsonWriter json, CrmRow row, RowContent content)
    {
        json.WriteStartObject();
        json.WriteString("id"u8, IdOf(content));
        json.WriteString("channel"u8, mapping.Channel);
        json.WriteString("type"u8, mapping.Type);
        if (content.OccurredAt is { } occurredAt) json.WriteString("occurredAt"u8, occurredAt);
        json.WriteStartArray("identifiers"u8);
        foreach (var (column, value) in content.Identifiers)
        {
            json.WriteStartObject();
            json.WriteString("type"u8, column.Type);
            json.WriteString(column.Hashed ? "sha256"u8 : "value"u8, value);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        if (content.Traits.Count > 0)
        {
            json.WriteStartObject("traits"u8);
            foreach (var (column, value) in content.Traits) json.WriteString(column.Trait, value);
            json.WriteEndObject();
        }
        // Staff reading a journey see where the touchpoint came from.
        json.WriteStartObject("properties"u8);
        json.WriteString("file"u8, fileName);
        json.WriteNumber("line"u8, row.Line);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>A node error about the touchpoint (<c>identifiers[1].sha256: ...</c>) told in the file's terms:
    /// the column it came from.</summary>
    public string Explain(RowContent content, string error)
    {
        var identifier = IdentifierField().Match(error);
        if (identifier.Success && int.Parse(identifier.Groups[1].ValueSpan) is var i && i < content.Identifiers.Count)
        {
            var column = content.Identifiers[i].Column;
            return $"{column.Name} ({column.Type}{(column.Hashed ? " sha256" : "")}){error[identifier.Length..]}";
        }
        if (error.StartsWith("occurredAt:", StringComparison.Ordinal) && mapping.OccurredAtName is { } name)
            return $"{name} (occurredAt){error["occurredAt".Length..]}";
        return error;
    }

    private string IdOf(RowContent content)
    {
        Append(IdVersion);
        Append(mapping.Channel);
        Append(mapping.Type);
        Append(content.OccurredAt ?? "");
        // Sorted, so the order of --map and --trait options and of the file's columns does not change the id.
        var identifiers = content.Identifiers.ToArray();
        Array.Sort(identifiers, static (a, b) =>
            string.CompareOrdinal(a.Column.Type, b.Column.Type) is var byType and not 0 ? byType
            : a.Column.Hashed != b.Column.Hashed ? a.Column.Hashed.CompareTo(b.Column.Hashed)
            : string.CompareOrdinal(a.Value, b.Value));
        AppendCount(identifiers.Length);
        foreach (var (column, value) in identifiers)
        {
            Append(column.Type);
            AppendCount(column.Hashed ? 1 : 0);
            Append(value);
        }
        var traits = content.Traits.ToArray();
        Array.Sort(traits, static (a, b) => string.CompareOrdinal(a.Column.Trait, b.Column.Trait));
        AppendCount(traits.Length);
        foreach (var (column, value) in traits)
        {
            Append(column.Trait);
            Append(value);
        }
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        _hash.GetHashAndReset(digest);
        return IdPrefix + Convert.ToHexStringLower(digest[..(IdHexLength / 2)]);
    }

    // Each part is length-prefixed, so no two different rows can hash the same bytes ("ab" + "c" vs "a" + "bc").
    private void Append(string text)
    {
        var length = Encoding.UTF8.GetByteCount(text);
        var rented = length > 256 ? ArrayPool<byte>.Shared.Rent(length) : null;
        var bytes = rented is null ? stackalloc byte[256] : rented;
        Encoding.UTF8.GetBytes(text, bytes);
        Append(bytes[..length]);
        if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        AppendCount(bytes.Length);
        _hash.AppendData(bytes);
    }

    private void AppendCount(int count)
    {
        BinaryPrimitives.WriteInt32BigEndian(_lengthPrefix, count);
        _hash.AppendData(_lengthPrefix);
    }

    [GeneratedRegex(@"^identifiers\[(\d+)\](\.[a-z0-9]+)?")]
    private static partial Regex IdentifierField();
}
