using Profiles.Core.Personalisation;
using Profiles.Core.Profiles;

namespace Profiles.Grains.Standing;

/// <summary>Works out a profile's standing from its content, as of now: its audiences and consent, and the moment
/// they may change with time alone.</summary>
public sealed class StandingCalculator(Personalisation personalisation, TimeProvider time)
{
    /// <param name="content">The profile's content.</param>
    /// <param name="evaluated">Its computed traits, audiences and consent now, when the caller has them already.</param>
    public ProfileStanding Of(ProfileContent content, PersonalisedValues? evaluated = null)
    {
        var now = time.GetUtcNow();
        return ProfileStanding.Of(content, evaluated ?? personalisation.Evaluate(content, now), personalisation.NextChangeAfter(content, now));
    }
}
