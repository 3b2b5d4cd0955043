using Profiles.Core.Personalisation;
using Profiles.Core.Profiles;

namespace Profiles.Grains.Standing;

/// <summary>Works out a profile's standing from its content, as of now: its audiences, and the day they may change
/// with the date alone.</summary>
public sealed class StandingCalculator(Personalisation personalisation, TimeProvider time)
{
    /// <param name="content">The profile's content.</param>
    /// <param name="evaluated">Its computed traits and audiences now, when the caller has them already.</param>
    public ProfileStanding Of(ProfileContent content, PersonalisedValues? evaluated = null)
    {
        var now = time.GetUtcNow();
        var audiences = (evaluated ?? personalisation.Evaluate(content, now)).Audiences;
        var recheck = personalisation.NextChangeAfter(content, now);
        return ProfileStanding.Of(content, audiences, recheck is { } at ? DateOnly.FromDateTime(at.UtcDateTime) : null);
    }
}
