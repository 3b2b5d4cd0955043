using Profiles.Core.Profiles;
using Profiles.Grains.Identity;
using Profiles.Testing;

namespace Profiles.Grains.Tests;

/// <summary>Profile states as a profile grain would hold them after the touchpoints given.</summary>
internal static class ProfileStates
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    /// <summary>A profile that took one touchpoint per identifier, each its own.</summary>
    public static ProfileState Holding(params (string Type, string Value)[] identifiers)
    {
        var state = new ProfileState();
        foreach (var (identifier, n) in identifiers.Select((identifier, n) => (identifier, n)))
        {
            state.Content.Add(TestTouchpoints.Make($"{identifier.Value}-{n}", Start.AddMinutes(n), "web", "login", [identifier]));
            state.AppliedLogLength++;
        }
        return state;
    }

    public static string Key(string type, string value) => TestIdentifiers.KeyOf(type, value);

    public static ProfileContent Copy(ProfileContent content)
    {
        var copy = new ProfileContent();
        copy.Merge(content);
        return copy;
    }
}
