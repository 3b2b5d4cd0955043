using Orleans;
using Profiles.Core.Consent;

namespace Profiles.Core.Touchpoints;

/// <summary>
/// A validated, normalised touchpoint as it is stored in a journey. It never holds an identifier value in
/// clear: only each identifier's keyed hash and masked hint.
/// </summary>
/// <param name="Id">The idempotency key, given by the client or derived from the content.</param>
/// <param name="OccurredAt">When it happened, with the offset the client sent (receipt time when absent).</param>
/// <param name="Traits">Trait writes in the order sent; a <c>null</c> value removes the trait.</param>
/// <param name="PropertiesJson">The <c>properties</c> object as compact JSON, or null when absent.</param>
public sealed record Touchpoint(
    string Id,
    DateTimeOffset OccurredAt,
    string Channel,
    string Type,
    IReadOnlyList<IdentifierRef> Identifiers,
    IReadOnlyList<TraitWrite> Traits,
    string? PropertiesJson)
{
    /// <summary>Identifiers the touchpoint carried that identity rules kept out of its profile: stored with the
    /// touchpoint, so the profile rebuilt from its journey shows them too.</summary>
    public IReadOnlyList<RefusedLink> RefusedLinks { get; init; } = [];

    /// <summary>The consent decisions the touchpoint carried, in the order sent (those left out as invalid are not here).</summary>
    public IReadOnlyList<ConsentDecision> Consent { get; init; } = [];

    /// <summary>True once retention removed its content: what stays is what its links need (id, time, identifiers,
    /// refused links), so that resolution replays it as before. It counts in no figure (the figures and consent
    /// decisions it gave are kept in the removed content of its anchor, <see cref="Profiles.RemovedContent"/>) and is
    /// in no journey page.</summary>
    public bool ContentRemoved { get; init; }

    /// <summary>This touchpoint as retention keeps it once its content is removed: its id, time, identifiers and
    /// refused links; no channel, type, trait, property or consent decision.</summary>
    public Touchpoint LinksOnly() => this with { Channel = "", Type = "", Traits = [], PropertiesJson = null, Consent = [], ContentRemoved = true };
}

/// <summary>A link identity rules did not make: <see cref="Type"/>, <see cref="Key"/> and <see cref="Hint"/>
/// name the identifier on the other side; <see cref="Reason"/> is one of <see cref="RefusalReasons"/>.</summary>
[GenerateSerializer, Immutable, Alias("RefusedLink")]
public sealed record RefusedLink(string Type, string Key, string Hint, string Reason, string TouchpointId, DateTimeOffset At)
{
    /// <summary>The link of <paramref name="touchpoint"/> to <paramref name="identifier"/> that a limit refused.</summary>
    public static RefusedLink OverLimit(IdentifierRef identifier, Touchpoint touchpoint) =>
        new(identifier.Type, identifier.Key, identifier.Hint, RefusalReasons.Limit, touchpoint.Id, touchpoint.OccurredAt);
}

/// <summary>Why a link was refused, as clients read it in <c>refusedLinks[].reason</c>.</summary>
public static class RefusalReasons
{
    /// <summary>The link would give a profile more values of a type than its limit.</summary>
    public const string Limit = "limit";

    /// <summary>An operator said the two identifiers belong to two people (an unlink that stands).</summary>
    public const string Unlink = "unlink";
}

/// <summary>One identifier of a touchpoint: its type, stored key (HMAC, lower-case hex) and masked hint.</summary>
/// <param name="FromHash">True when the client sent only the SHA-256, so the hint cannot show any of the value.</param>
[GenerateSerializer, Immutable, Alias("IdentifierRef")]
public sealed record IdentifierRef(string Type, string Key, string Hint, bool FromHash);

/// <summary>A trait set by a touchpoint. <paramref name="ValueJson"/> is the raw JSON scalar (<c>"Paul"</c>,
/// <c>89.9</c>, <c>true</c>); null means the touchpoint removes the trait.</summary>
[GenerateSerializer, Immutable, Alias("TraitWrite")]
public sealed record TraitWrite(string Name, string? ValueJson);
