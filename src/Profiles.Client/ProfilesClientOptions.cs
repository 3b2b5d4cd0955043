namespace Profiles.Client;

/// <summary>How the client finds the cluster: its Redis (the gateways the nodes register there), or a fixed gateway list.</summary>
public sealed class ProfilesClientOptions
{
    /// <summary>The StackExchange.Redis connection string the nodes use as <c>Profiles:Redis</c>.</summary>
    public string? Redis { get; set; }

    /// <summary>Gateways as <c>host:port</c> (the nodes' <c>Profiles:GatewayPort</c>), when not found through Redis.</summary>
    public IReadOnlyList<string> Gateways { get; set; } = [];

    /// <summary>The nodes' <c>Profiles:ClusterId</c>.</summary>
    public string ClusterId { get; set; } = "profiles";

    /// <summary>The nodes' <c>Profiles:ServiceId</c>.</summary>
    public string ServiceId { get; set; } = "profiles";
}
