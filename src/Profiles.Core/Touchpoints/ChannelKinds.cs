using System.Text.RegularExpressions;

namespace Profiles.Core.Touchpoints;

/// <summary>Online and offline channels as docs/API.md classifies them ("Touchpoints in", "Statistics"): what makes a profile online,
/// offline or omnichannel in the statistics and the audiences, and what the import reconciles its rows with. A channel
/// in neither list counts as neither.</summary>
public static partial class ChannelKinds
{
    private static readonly HashSet<string> Online = new(StringComparer.Ordinal) { "web", "app", "email", "sms", "chat", "social" };
    private static readonly HashSet<string> Offline = new(StringComparer.Ordinal) { "store", "call_center", "crm" };

    public static bool IsOnline(string channel) => Online.Contains(channel);

    public static bool IsOffline(string channel) => Offline.Contains(channel);

    /// <summary>Whether <paramref name="channel"/> is a channel name: <c>[a-z0-9_]{1,32}</c>.</summary>
    public static bool IsValidName(string channel) => NamePattern().IsMatch(channel);

    [GeneratedRegex(@"^[a-z0-9_]{1,32}\z", RegexOptions.CultureInvariant)]
    internal static partial Regex NamePattern();
}
