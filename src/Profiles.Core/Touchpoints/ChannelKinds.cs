namespace Profiles.Core.Touchpoints;

/// <summary>Online and offline channels as docs/API.md classifies them ("Touchpoints in", "Statistics"): what makes a profile online,
/// offline or omnichannel in the statistics and the audiences, and what the import reconciles its rows with. A channel
/// in neither list counts as neither.</summary>
public static class ChannelKinds
{
    private static readonly HashSet<string> Online = new(StringComparer.Ordinal) { "web", "app", "email", "sms", "chat", "social" };
    private static readonly HashSet<string> Offline = new(StringComparer.Ordinal) { "store", "call_center", "crm" };

    public static bool IsOnline(string channel) => Online.Contains(channel);

    public static bool IsOffline(string channel) => Offline.Contains(channel);
}
