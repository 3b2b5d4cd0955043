using Profiles.Core.Touchpoints;

namespace Profiles.Core.Consent;

/// <summary>
/// A profile's consent decisions, as one more field of the order-independent fold (docs/CONSENT.md). Two parts, each a
/// function of the set of decisions, so any order of arrival, any merge and any split gives the same ledger:
/// <list type="bullet">
/// <item>per (purpose, channel), the decisions that give the effective status at some moment. The status at a moment is
/// that of the latest decision (<see cref="ConsentRecord.ComesAfter"/>), and a grant's date moves to its expiry once it
/// has expired, so which decision is latest changes only at expiries: a decision that is latest at no expiry, nor
/// before the first, never decides and is dropped. Usually one or two are kept;</item>
/// <item>per (purpose, channel, status, document), the earliest and the latest decision: the history a controller
/// shows, bounded however often an analytics library repeats the same preferences.</item>
/// </list>
/// The effective status depends on the clock (expiries), so it is worked out when read (<see cref="ConsentPurposes.Evaluate"/>).
/// </summary>
public sealed class ConsentLedger
{
    private readonly Dictionary<string, ConsentRecord[]> _deciding = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (ConsentRecord Earliest, ConsentRecord Latest)> _history = new(StringComparer.Ordinal);

    public ConsentLedger()
    {
    }

    /// <summary>A ledger as stored: its <see cref="Deciding"/> and <see cref="History"/>.</summary>
    public ConsentLedger(IEnumerable<ConsentRecord> deciding, IEnumerable<ConsentRecord> history)
    {
        foreach (var group in deciding.GroupBy(r => r.DecidedKey, StringComparer.Ordinal)) _deciding[group.Key] = DecidingOf(group);
        foreach (var record in history) AddToHistory(record);
    }

    public bool IsEmpty => _history.Count == 0;

    /// <summary>The decisions that decide some (purpose, channel) at some moment, by key then in time order.</summary>
    public IEnumerable<ConsentRecord> Deciding => _deciding.OrderBy(d => d.Key, StringComparer.Ordinal).SelectMany(d => d.Value);

    /// <summary>For each (purpose, channel, status, document) the earliest and the latest decision (one when they are
    /// the same), newest first.</summary>
    public IEnumerable<ConsentRecord> History =>
        _history.Values.SelectMany(h => ReferenceEquals(h.Earliest, h.Latest) || h.Earliest == h.Latest ? [h.Latest] : new[] { h.Latest, h.Earliest })
            .OrderDescending();

    public void Add(Touchpoint touchpoint)
    {
        foreach (var decision in touchpoint.Consent)
        {
            var record = ConsentRecord.Of(decision, touchpoint);
            _deciding[record.DecidedKey] = _deciding.TryGetValue(record.DecidedKey, out var kept) ? DecidingOf([.. kept, record]) : [record];
            AddToHistory(record);
        }
    }

    /// <summary>Takes in the ledger of another profile.</summary>
    public void Merge(ConsentLedger other)
    {
        foreach (var (key, theirs) in other._deciding)
        {
            _deciding[key] = _deciding.TryGetValue(key, out var mine) ? DecidingOf([.. mine, .. theirs]) : theirs;
        }
        foreach (var (earliest, latest) in other._history.Values)
        {
            AddToHistory(earliest);
            AddToHistory(latest);
        }
    }

    public ConsentLedger Copy() => new(Deciding, History);

    /// <summary>The latest decision for exactly (<paramref name="purpose"/>, <paramref name="channel"/>) as of
    /// <paramref name="now"/>; null when there is none.</summary>
    public ConsentRecord? Latest(string purpose, string? channel, DateTimeOffset now)
    {
        if (!_deciding.TryGetValue(ConsentRecord.KeyOf(purpose, channel), out var kept)) return null;
        return Latest(kept, now);
    }

    /// <summary>The channels of the purpose that have decisions of their own, in ordinal order.</summary>
    public IEnumerable<string> ChannelsOf(string purpose) =>
        _deciding.Values.Select(kept => kept[0]).Where(r => r.Purpose == purpose && r.Channel is not null)
            .Select(r => r.Channel!).Order(StringComparer.Ordinal);

    /// <summary>The first expiry after <paramref name="now"/> of a grant of one of <paramref name="purposes"/> that
    /// may decide a status: when a status may change with time alone. Null when none is ahead.</summary>
    public DateTimeOffset? NextExpiryAfter(DateTimeOffset now, IEnumerable<string> purposes)
    {
        var asked = purposes.ToHashSet(StringComparer.Ordinal);
        DateTimeOffset? next = null;
        foreach (var record in _deciding.Values.SelectMany(kept => kept))
        {
            if (record is { Granted: true, ExpiresAt: { } expiry } && expiry > now && asked.Contains(record.Purpose) && (next is null || expiry < next)) next = expiry;
        }
        return next;
    }

    private static ConsentRecord Latest(IEnumerable<ConsentRecord> records, DateTimeOffset now)
    {
        ConsentRecord? latest = null;
        foreach (var record in records)
        {
            if (latest is null || record.ComesAfter(latest, now)) latest = record;
        }
        return latest!;
    }

    /// <summary>The records of one (purpose, channel) that are latest at some moment: before any expiry, or as of one
    /// (between two expiries nothing changes). The same set whatever order and grouping they came in.</summary>
    private static ConsentRecord[] DecidingOf(IEnumerable<ConsentRecord> records)
    {
        var all = records.Distinct().ToList();
        IEnumerable<DateTimeOffset> moments = [DateTimeOffset.MinValue, .. all.Where(r => r is { Granted: true, ExpiresAt: not null }).Select(r => r.ExpiresAt!.Value)];
        return [.. moments.Select(moment => Latest(all, moment)).Distinct().Order()];
    }

    private void AddToHistory(ConsentRecord record)
    {
        var key = record.HistoryKey;
        _history[key] = _history.TryGetValue(key, out var span)
            ? (span.Earliest.CompareTo(record) <= 0 ? span.Earliest : record, span.Latest.CompareTo(record) >= 0 ? span.Latest : record)
            : (record, record);
    }
}
