namespace Profiles.Grains.Calls;

/// <summary>
/// The ids one follow of forwarding pointers went through, each to the next. A pointer is only ever set to a profile
/// that is a root at that moment, and an id that has forwarded never becomes a root again, so a follow never comes back
/// to an id it went through, however the pointers change while it reads them (docs/ARCHITECTURE.md, "Why following
/// forwards ends"). Were it to, the pointers would form a cycle and the follow would never end: it throws
/// <see cref="ForwardingCycleException"/> instead. Two follows may meet: that is no cycle, so each has its own trail.
/// </summary>
public sealed class ForwardTrail
{
    private readonly List<string> _forwarded = [];

    /// <summary>How many forwards the follow went through.</summary>
    public int Hops => _forwarded.Count;

    /// <summary>Records that <paramref name="from"/> answered forwarded to <paramref name="to"/>; answers
    /// <paramref name="to"/>, where the follow goes on.</summary>
    /// <exception cref="ForwardingCycleException"><paramref name="to"/> forwarded earlier in this follow.</exception>
    public string Follow(string from, string to)
    {
        _forwarded.Add(from);
        if (_forwarded.Contains(to, StringComparer.Ordinal))
        {
            throw new ForwardingCycleException($"Profile {from} forwards to {to}, which forwarded earlier in the same follow: {string.Join(" -> ", _forwarded)} -> {to}.");
        }
        return to;
    }
}
