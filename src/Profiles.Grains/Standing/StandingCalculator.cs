using Profiles.Core.Personalisation;
using Profiles.Core.Profiles;

namespace Profiles.Grains.Standing;

/// <summary>Works out a profile's standing from its content, as of today: its audiences, and the day they may
/// change with the date alone.</summary>
public sealed class StandingCalculator(Personalisation personalisation, TimeProvider time)
{
    /// <param name="content">The profile's content.</param>
    /// <param name="evaluated">Its computed traits and audiences today, when the caller has them already.</param>
    public ProfileStanding Of(ProfileContent content, PersonalisedValues? evaluated = null)
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var audiences = (evaluated ?? personalisation.Evaluate(content, today)).Audiences;
        return ProfileStanding.Of(content, audiences, personalisation.NextAudienceChange(content, today));
    }
}
