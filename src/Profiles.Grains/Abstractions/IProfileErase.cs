namespace Profiles.Grains.Abstractions;

/// <summary>The profile as the eraser forgets it (<c>DELETE /v1/profiles/{id}</c>).</summary>
[Alias("IProfileErase")]
public interface IProfileErase : IGrainWithStringKey
{
    /// <summary>Erases this profile: its journey (and idempotency records), its state, and from now on it
    /// answers <see cref="ProfileReplyKind.Erased"/>. Returns what the caller must erase next: the identifiers it
    /// held and the profiles merged into it.</summary>
    [Alias("Erase")]
    Task<ErasedProfile> Erase();
}

[GenerateSerializer, Immutable, Alias("ErasedProfile")]
public sealed record ErasedProfile([property: Id(0)] string[] IdentifierKeys, [property: Id(1)] string[] MergedProfileIds);
