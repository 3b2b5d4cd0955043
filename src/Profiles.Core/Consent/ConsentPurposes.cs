using Orleans;

namespace Profiles.Core.Consent;

/// <summary>
/// The configured purposes (<c>Profiles:Consent:Purposes:NAME:Default</c>), each with the status it has while a
/// profile holds no decision for it, and the effective status of a profile's consent as of a moment (docs/CONSENT.md).
/// </summary>
public sealed class ConsentPurposes
{
    /// <summary>The purpose whose denial keeps computed traits and audiences out of the storefront's reads.</summary>
    public const string Personalisation = "personalisation";

    /// <summary>No purpose: every decision is left out as unknown.</summary>
    public static readonly ConsentPurposes None = new(new Dictionary<string, bool>());

    /// <summary>What the node ships with: personalising and measuring are allowed until the customer says otherwise,
    /// marketing needs the customer's grant.</summary>
    public static readonly ConsentPurposes Shipped = new(new Dictionary<string, bool>
    {
        [Personalisation] = true,
        ["analytics"] = true,
        ["marketing"] = false,
    });

    private readonly SortedDictionary<string, bool> _defaults;

    /// <param name="defaults">Per purpose, whether it is granted while no decision exists.</param>
    public ConsentPurposes(IReadOnlyDictionary<string, bool> defaults) => _defaults = new(defaults.ToDictionary(), StringComparer.Ordinal);

    /// <summary>The purposes, in ordinal order.</summary>
    public IReadOnlyCollection<string> Names => _defaults.Keys;

    public bool IsConfigured(string purpose) => _defaults.ContainsKey(purpose);

    /// <summary>Whether the purpose is granted while a profile holds no decision for it.</summary>
    public bool GrantedByDefault(string purpose) => _defaults.GetValueOrDefault(purpose);

    /// <summary>
    /// Every configured purpose's effective status as of <paramref name="now"/>, in name order. The status of
    /// (purpose, channel) is the latest of the decisions for the channel and for every channel of the purpose
    /// (<see cref="ConsentRecord.ComesAfter"/>); the purpose-wide status, the latest for every channel; with no decision,
    /// the purpose's default.
    /// </summary>
    public PurposeConsent[] Evaluate(ConsentLedger? ledger, DateTimeOffset now)
    {
        var statuses = new PurposeConsent[_defaults.Count];
        var i = 0;
        foreach (var (purpose, grantedByDefault) in _defaults)
        {
            var wide = ledger?.Latest(purpose, null, now);
            var channels = ledger is null
                ? []
                : ledger.ChannelsOf(purpose).Select(channel =>
                {
                    var own = ledger.Latest(purpose, channel, now)!;
                    return KeyValuePair.Create(channel, (wide is not null && wide.ComesAfter(own, now) ? wide : own).Effective(now).Granted);
                }).ToArray();
            statuses[i++] = new PurposeConsent(purpose, wide?.Effective(now).Granted ?? grantedByDefault, wide is not null, channels);
        }
        return statuses;
    }
}

/// <summary>
/// A purpose's effective status for one profile at one moment.
/// </summary>
/// <param name="Granted">The purpose-wide status: the latest decision for every channel, else the default.</param>
/// <param name="Decided">True when a decision, not the default, gives the purpose-wide status.</param>
/// <param name="Channels">Each channel with decisions of its own and its status, in ordinal order (an array, which
/// crosses grain calls as it is).</param>
[GenerateSerializer, Immutable, Alias("PurposeConsent")]
public sealed record PurposeConsent(string Purpose, bool Granted, bool Decided, KeyValuePair<string, bool>[] Channels)
{
    /// <summary>The status of one channel: its own, or the purpose-wide one when it has no decision of its own.</summary>
    public bool GrantedOn(string? channel)
    {
        if (channel is null) return Granted;
        foreach (var (name, granted) in Channels)
        {
            if (name == channel) return granted;
        }
        return Granted;
    }

    /// <summary>Whether <paramref name="purpose"/> is granted on <paramref name="channel"/> (null: purpose-wide) in
    /// <paramref name="consent"/>; a purpose that is not configured restricts nothing.</summary>
    public static bool IsGranted(IReadOnlyList<PurposeConsent> consent, string purpose, string? channel = null)
    {
        foreach (var status in consent)
        {
            if (status.Purpose == purpose) return status.GrantedOn(channel);
        }
        return true;
    }
}
