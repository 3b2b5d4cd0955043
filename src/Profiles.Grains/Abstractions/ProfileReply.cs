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

    /// <summary>Not now: the profile is being resolved again with others of its component, or the caller's idea of
    /// where an identifier lives is out of date since it was. Nothing changed; start again shortly.</summary>
    Retry,
}

/// <summary>
/// The one reply of profile-grain calls: done, forwarded to another profile, refused by a limit, or erased.
/// A merged-away profile keeps answering <see cref="ProfileReplyKind.Forwarded"/> (its union-find parent link);
/// <see cref="ProfileForwarding.CallAsync{TRole, TReply}"/> is the one place that follows those pointers.
/// </summary>
[GenerateSerializer, Immutable, Alias("ProfileReply")]
public record ProfileReply([property: Id(0)] ProfileReplyKind Kind, [property: Id(1)] string ProfileId)
{
    public static ProfileReply Done(string profileId) => new(ProfileReplyKind.Done, profileId);

    public static ProfileReply Forwarded(string profileId) => new(ProfileReplyKind.Forwarded, profileId);

    public static ProfileReply Refused(string profileId) => new(ProfileReplyKind.Refused, profileId);

    public static ProfileReply Erased(string profileId) => new(ProfileReplyKind.Erased, profileId);

    public static ProfileReply Retry(string profileId) => new(ProfileReplyKind.Retry, profileId);

    public bool IsDone => Kind == ProfileReplyKind.Done;
}

/// <summary>A <see cref="ProfileReply"/> that carries the call's result when it is done.</summary>
[GenerateSerializer, Immutable, Alias("ProfileReply`1")]
public sealed record ProfileReply<T>(ProfileReplyKind Kind, string ProfileId, [property: Id(0)] T? Value) : ProfileReply(Kind, ProfileId)
{
    /// <summary>The result; only a done reply has one.</summary>
    public T Result => IsDone ? Value! : throw new InvalidOperationException($"Profile {ProfileId} answered {Kind}, which carries no result.");

    public static ProfileReply<T> Done(string profileId, T value) => new(ProfileReplyKind.Done, profileId, value);

    public static ProfileReply<T> Not(ProfileReply reply) => new(reply.Kind, reply.ProfileId, default);
}

/// <summary>Follows forwarding pointers: the union-find "find" of profiles, for every caller.</summary>
public static class ProfileForwarding
{
    /// <summary>Makes <paramref name="call"/> on <paramref name="profileId"/> and, while the profile answers
    /// <see cref="ProfileReplyKind.Forwarded"/>, on the profile it was merged into. Merges only ever move a profile to
    /// a smaller id, so this ends.</summary>
    public static async Task<TReply> CallAsync<TRole, TReply>(this IGrainFactory grains, string profileId, Func<TRole, Task<TReply>> call)
        where TRole : IGrainWithStringKey
        where TReply : ProfileReply
    {
        while (true)
        {
            var reply = await call(grains.ByKey<TRole>(profileId));
            if (reply.Kind != ProfileReplyKind.Forwarded) return reply;
            profileId = reply.ProfileId;
        }
    }
}
