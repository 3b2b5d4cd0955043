using Profiles.Core.Resolution;

namespace Profiles.Grains.Resolution;

/// <summary>
/// Identifiers that answered for a surviving profile before a resolution and belong to another profile after it: a
/// writer still holding the old pointer reaches the survivor (directly, or through a prior profile now forwarded to
/// it), and the survivor tells it to start again instead of taking the identifier in.
/// </summary>
public static class MovedKeys
{
    /// <summary>The identifiers <paramref name="planned"/> no longer holds, to the profile that holds each now. The
    /// prior profiles that answer with it are its own prior self and every prior profile forwarded to it
    /// (<paramref name="forwardTo"/>), since a stale pointer to either now ends at it.</summary>
    /// <param name="planned">A profile of the plan.</param>
    /// <param name="before">The component's profiles before the resolution, by id.</param>
    /// <param name="forwardTo">The plan's forwards: every id no longer a profile of its own, to the profile it answers with.</param>
    /// <param name="groupOf">Every identifier the plan places, to its profile.</param>
    public static Dictionary<string, string> For(PlannedProfile planned, IReadOnlyDictionary<string, PriorProfile> before,
        IReadOnlyDictionary<string, string> forwardTo, IReadOnlyDictionary<string, string> groupOf)
    {
        var kept = planned.Identifiers.Select(i => i.Key).ToHashSet(StringComparer.Ordinal);
        var answeringWithIt = before.Values.Where(prior => prior.ProfileId == planned.ProfileId
            || forwardTo.GetValueOrDefault(prior.ProfileId) == planned.ProfileId);
        var moved = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in answeringWithIt.SelectMany(prior => prior.HeldKeys))
        {
            if (!kept.Contains(key) && groupOf.TryGetValue(key, out var holder)) moved[key] = holder;
        }
        return moved;
    }
}
