namespace Profiles.Grains.Abstractions;

/// <summary>How a profile grain answered a call it could not simply carry out where it was sent.</summary>
public enum ProfileReplyKind
{
    /// <summary>Carried out; <see cref="ProfileReply.ProfileId"/> is the profile that did it.</summary>
    Done,

    /// <summary>The profile had been merged away and changed nothing: continue at <see cref="ProfileReply.ProfileId"/>.</summary>
    Forwarded,

    /// <summary>An identity-rule limit refused the change; nothing changed.</summary>
    Refused,

    /// <summary>The profile was erased: whoever pointed the caller at it is out of date.</summary>
    Erased,

    /// <summary>Not now, and nothing changed; <see cref="ProfileReply.Because"/> says what the caller does next.</summary>
    Retry,
}

/// <summary>Why a profile answered <see cref="ProfileReplyKind.Retry"/>. Each asks the caller for something else
/// (<see cref="Calls.ProfileCalls"/> handles those it can).</summary>
public enum RetryCause
{
    /// <summary>A resolution holds the profile while it resolves its component again. Wait and call again: the
    /// resolution releases it (one whose node died is asked to go on). A caller whose other pointers the resolution may
    /// move reads them again once the hold ends.</summary>
    Held,

    /// <summary>An identifier the caller brings was moved to another profile by a resolution, or let go, since the
    /// caller read that it points here: the caller's pointers are stale. It forgets what it remembered of them and
    /// starts again from the identifiers' grains.</summary>
    StalePointer,

    /// <summary>Another activation of this profile took over its journey, and this one goes (a node cut off from the
    /// cluster, or Orleans briefly ran two). Call again at once: the call reaches the activation that stands.</summary>
    Superseded,

    /// <summary>The survivor of a merge forwards to an id that is not smaller than the loser's (a resolution pointed
    /// it there), and a profile only ever calls smaller ids: the merge did not happen. The survivor the caller read is
    /// no longer a root, so its pointers are stale, as for <see cref="StalePointer"/>.</summary>
    WouldCallLarger,
}

/// <summary>
/// The one reply of profile-grain calls: done, forwarded to another profile, refused by a limit, erased, or retry
/// with its cause. A merged-away profile keeps answering <see cref="ProfileReplyKind.Forwarded"/> (its union-find
/// parent link); <see cref="Calls.ProfileCalls"/> is the one policy that follows those pointers and waits out holds.
/// </summary>
/// <param name="Because">Why not now: set on every <see cref="ProfileReplyKind.Retry"/>, and only on those.</param>
[GenerateSerializer, Immutable, Alias("ProfileReply")]
public record ProfileReply(
    [property: Id(0)] ProfileReplyKind Kind,
    [property: Id(1)] string ProfileId,
    [property: Id(2)] RetryCause? Because = null)
{
    public static ProfileReply Done(string profileId) => new(ProfileReplyKind.Done, profileId);

    public static ProfileReply Forwarded(string profileId) => new(ProfileReplyKind.Forwarded, profileId);

    public static ProfileReply Refused(string profileId) => new(ProfileReplyKind.Refused, profileId);

    public static ProfileReply Erased(string profileId) => new(ProfileReplyKind.Erased, profileId);

    public static ProfileReply Retry(string profileId, RetryCause because) => new(ProfileReplyKind.Retry, profileId, because);

    public bool IsDone => Kind == ProfileReplyKind.Done;
}

/// <summary>A <see cref="ProfileReply"/> that carries the call's result when it is done.</summary>
[GenerateSerializer, Immutable, Alias("ProfileReply`1")]
public sealed record ProfileReply<T>(ProfileReplyKind Kind, string ProfileId, [property: Id(0)] T? Value, RetryCause? Because = null)
    : ProfileReply(Kind, ProfileId, Because)
{
    /// <summary>The result; only a done reply has one.</summary>
    public T Result => IsDone ? Value! : throw new InvalidOperationException($"Profile {ProfileId} answered {Kind}, which carries no result.");

    public static ProfileReply<T> Done(string profileId, T value) => new(ProfileReplyKind.Done, profileId, value);

    public static ProfileReply<T> Not(ProfileReply reply) => new(reply.Kind, reply.ProfileId, default, reply.Because);
}
