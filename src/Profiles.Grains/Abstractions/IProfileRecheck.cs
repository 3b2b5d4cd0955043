namespace Profiles.Grains.Abstractions;

/// <summary>The profile as the audience recheck asks it to follow the date: a window moves past its touchpoints
/// without any new one.</summary>
[Alias("IProfileRecheck")]
public interface IProfileRecheck : IGrainWithStringKey
{
    /// <summary>Works out the profile's standing again and reports it if the date alone changed it (a window
    /// moved past a touchpoint, so an audience was left or joined).</summary>
    [Alias("RefreshStanding")]
    Task RefreshStanding();
}
