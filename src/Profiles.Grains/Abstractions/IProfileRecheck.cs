namespace Profiles.Grains.Abstractions;

/// <summary>The profile as the audience recheck asks it to follow time: a window moves past its touchpoints, or a
/// consent grant expires, without any new touchpoint.</summary>
[Alias("IProfileRecheck")]
public interface IProfileRecheck : IGrainWithStringKey
{
    /// <summary>Works out the profile's standing again and reports it: what time alone changed (a window moved past a
    /// touchpoint, a grant expired) reaches the figures, the audience index and the feed; nothing else changes.</summary>
    [Alias("RefreshStanding")]
    Task RefreshStanding();
}
