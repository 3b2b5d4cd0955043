namespace Profiles.Contracts.Http;

/// <summary>A profile's consent decisions (docs/API.md, <c>GET /v1/profiles/{profileId}/consent</c>), newest first: for
/// each (purpose, channel, status, document) the earliest and the latest decision, one entry when they are the same. Kept
/// until the profile is erased, whatever the touchpoints' retention: what a controller shows to demonstrate consent.</summary>
public sealed record ConsentHistoryResponse(string ProfileId, IReadOnlyList<ConsentDecisionResponse> Decisions);

/// <param name="Channel">The channel the decision is for; null for every channel of the purpose.</param>
/// <param name="Status"><c>granted</c> or <c>denied</c>.</param>
/// <param name="At">When the decision was made: its touchpoint's <c>occurredAt</c>, in UTC.</param>
/// <param name="TouchpointId">The touchpoint that carried it; its journey entry gives the rest.</param>
/// <param name="ChannelOfTouchpoint">The channel it came by (an SMS "STOP" comes by <c>sms</c>).</param>
/// <param name="Document">The policy or form version the customer saw; null when none was sent.</param>
/// <param name="ExpiresAt">When a grant stops holding; null for never.</param>
public sealed record ConsentDecisionResponse(
    string Purpose,
    string? Channel,
    string Status,
    DateTimeOffset At,
    string TouchpointId,
    string ChannelOfTouchpoint,
    string? Document,
    DateTimeOffset? ExpiresAt);
