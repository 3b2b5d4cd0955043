using System.Globalization;
using System.Text.Json;
using Profiles.Core.Consent;

namespace Profiles.Core.Touchpoints;

/// <summary>The <c>consent</c> field of a touchpoint (docs/CONSENT.md): a decision that cannot be read is left out and
/// listed under <c>ignored</c> with the field and why, and the touchpoint lands; a consent form's bug must never cost
/// the purchase it came with.</summary>
public sealed partial class TouchpointParser
{
    public const int MaxConsentDecisions = 20;

    /// <param name="ignored">What was left out so far; a decision left out is added after it.</param>
    private ConsentDecision[] ReadConsent(JsonElement element, ref IReadOnlyList<IgnoredIdentifier> ignored)
    {
        if (!IsPresent(element))
            return [];
        var leftOut = new List<IgnoredIdentifier>(ignored);
        var decisions = new List<ConsentDecision>();
        if (element.ValueKind != JsonValueKind.Array)
        {
            leftOut.Add(IgnoredIdentifier.Invalid("consent", "must be an array of decisions"));
        }
        else
        {
            var index = 0;
            foreach (var item in element.EnumerateArray())
            {
                if (index >= MaxConsentDecisions)
                    leftOut.Add(IgnoredIdentifier.Invalid($"consent[{index}]", $"a touchpoint carries at most {MaxConsentDecisions} decisions"));
                else if (ReadDecision(item, $"consent[{index}]", out var decision) is { } problem)
                    leftOut.Add(problem);
                else
                    decisions.Add(decision!);
                index++;
            }
        }
        if (leftOut.Count > ignored.Count)
            ignored = leftOut;
        return [.. decisions];
    }

    /// <returns>Null when the decision reads, else what the result lists for it: its first bad field and why.</returns>
    private IgnoredIdentifier? ReadDecision(JsonElement item, string field, out ConsentDecision? decision)
    {
        decision = null;
        if (item.ValueKind != JsonValueKind.Object)
            return IgnoredIdentifier.Invalid(field, "must be an object with a purpose and a status");

        var purposeList = string.Join(", ", purposes.Names);
        if (!TryReadOptionalString(item, "purpose"u8, out var purpose))
            return IgnoredIdentifier.Invalid($"{field}.purpose", $"must be a string: one of {purposeList}");
        if (purpose is null)
            return IgnoredIdentifier.Invalid($"{field}.purpose", $"is required: one of {purposeList}");
        if (!purposes.IsConfigured(purpose))
            return IgnoredIdentifier.Invalid($"{field}.purpose", purposes.Names.Count == 0 ? "names no configured purpose: none is configured" : $"is not a configured purpose: one of {purposeList}");

        if (!TryReadOptionalString(item, "channel"u8, out var channel) || (channel is not null && !ChannelKinds.IsValidName(channel)))
            return IgnoredIdentifier.Invalid($"{field}.channel", "must match [a-z0-9_]{1,32}, or be absent for every channel");

        if (!TryReadOptionalString(item, "status"u8, out var status) || status is not (ConsentStatus.Granted or ConsentStatus.Denied))
            return IgnoredIdentifier.Invalid($"{field}.status", $"must be {ConsentStatus.Granted} or {ConsentStatus.Denied}");

        if (!TryReadOptionalString(item, "document"u8, out var document) || (document is not null && !IsValidDocument(document)))
            return IgnoredIdentifier.Invalid($"{field}.document", $"must be 1 to {ConsentDecision.MaxDocumentLength} printable characters");

        DateTimeOffset? expiresAt = null;
        if (!TryReadOptionalString(item, "expiresAt"u8, out var expiresAtText))
            return IgnoredIdentifier.Invalid($"{field}.expiresAt", "must be an ISO-8601 date-time with offset");
        if (expiresAtText is not null)
        {
            if (!TryParseIsoWithOffset(expiresAtText, out var expiry))
                return IgnoredIdentifier.Invalid($"{field}.expiresAt", "must be an ISO-8601 date-time with offset");
            expiresAt = expiry;
        }

        decision = new ConsentDecision(purpose, channel, status == ConsentStatus.Granted, document, expiresAt);
        return null;
    }

    private static bool IsValidDocument(string document) =>
        document.Length is > 0 and <= ConsentDecision.MaxDocumentLength && !document.Any(char.IsControl);

    /// <summary>A decision's part of a derived id: each field length-prefixed, times in UTC.</summary>
    private static string DerivedIdText(ConsentDecision decision)
    {
        string[] parts =
        [
            decision.Purpose, decision.Channel ?? "", decision.Status, decision.Document ?? "",
            decision.ExpiresAt?.UtcTicks.ToString(CultureInfo.InvariantCulture) ?? "",
        ];
        return string.Concat(parts.Select(part => $"{part.Length.ToString(CultureInfo.InvariantCulture)}:{part};"));
    }
}
