using Profiles.Contracts;

namespace Profiles.Import;

/// <summary>A row that did not land, with the reason in the file's terms.</summary>
public sealed record RejectedRow(CrmRow Row, string Reason);

/// <summary>What the rows of the file came to. Safe to add to from several senders at once.</summary>
public sealed class ImportTally
{
    private readonly Lock _lock = new();
    private readonly List<RejectedRow> _rejected = [];
    private readonly Dictionary<string, long> _rowsByProfile = new(StringComparer.Ordinal);

    public long Accepted { get; private set; }

    public long Duplicate { get; private set; }

    public long Rejected => _rejected.Count;

    public long Rows => Accepted + Duplicate + Rejected;

    /// <summary>Rows that landed with an identifier the node left out (invalid or blocked value).</summary>
    public long WithIgnoredIdentifiers { get; private set; }

    /// <summary>Rows that landed with a link an identity rule refused.</summary>
    public long WithRefusedLinks { get; private set; }

    /// <summary>The rejected rows in the order of the file.</summary>
    public IReadOnlyList<RejectedRow> RejectedRows
    {
        get
        {
            lock (_lock) return [.. _rejected.OrderBy(r => r.Row.Line)];
        }
    }

    /// <summary>Rows that landed, by the profile id the node answered for them; read once sending is done.</summary>
    public IReadOnlyDictionary<string, long> RowsByProfile => _rowsByProfile;

    public void Reject(CrmRow row, string reason)
    {
        lock (_lock) _rejected.Add(new RejectedRow(row, reason));
    }

    public void Land(TouchpointResult result)
    {
        lock (_lock)
        {
            if (result.Status == TouchpointResult.Accepted) Accepted++;
            else Duplicate++;
            if (result.Ignored is { Count: > 0 }) WithIgnoredIdentifiers++;
            if (result.RefusedLinks is { Count: > 0 }) WithRefusedLinks++;
            _rowsByProfile[result.ProfileId!] = _rowsByProfile.GetValueOrDefault(result.ProfileId!) + 1;
        }
    }
}
