namespace Profiles.Grains.Abstractions;

/// <summary>The profile as the eraser forgets it (<c>DELETE /v1/profiles/{id}</c>).</summary>
[Alias("IProfileErase")]
public interface IProfileErase : IGrainWithStringKey
{
    /// <summary>Erases the customer this profile stands for: its journey (and idempotency records), its state, and
    /// from now on it answers <see cref="ProfileReplyKind.Erased"/>; the feed gets the customer's <c>erased</c> change.
    /// A profile merged away answers <see cref="ProfileReplyKind.Forwarded"/> and a held one
    /// <see cref="RetryCause.Held"/>, erasing nothing, so that the eraser reaches the profile that stands for the
    /// customer when it acts, not when it looked. Done with what the caller must erase next (the identifiers it held
    /// and the profiles merged into it), or with null when no touchpoint ever landed here.</summary>
    [Alias("Erase")]
    Task<ProfileReply<ErasedProfile?>> Erase();

    /// <summary>As <see cref="Erase"/>, for retention: only while the profile holds no identifier but anonymous ones
    /// (cookies, device ids) and was last seen before <paramref name="lastSeenBefore"/>, decided in the profile's own
    /// turn, so a touchpoint landing meanwhile keeps it; its <c>erased</c> change says <c>"reason": "retention"</c>.
    /// Done with null when it does not qualify.</summary>
    [Alias("EraseIfAnonymous")]
    Task<ProfileReply<ErasedProfile?>> EraseIfAnonymous(DateTimeOffset lastSeenBefore);

    /// <summary>Erases a profile merged into a customer being erased, wherever it forwards: its content went to that
    /// customer, its journey and state are still its own.</summary>
    [Alias("EraseMerged")]
    Task<ErasedProfile> EraseMerged();
}

[GenerateSerializer, Immutable, Alias("ErasedProfile")]
public sealed record ErasedProfile([property: Id(0)] string[] IdentifierKeys, [property: Id(1)] string[] MergedProfileIds);
