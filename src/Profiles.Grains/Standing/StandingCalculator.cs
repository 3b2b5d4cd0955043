using Profiles.Core.Profiles;

namespace Profiles.Grains.Standing;

/// <summary>Works out a profile's standing from its content, as of today.</summary>
public sealed class StandingCalculator
{
    public ProfileStanding Of(ProfileContent content) => ProfileStanding.Of(content, [], null);
}
