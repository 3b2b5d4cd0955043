using Profiles.Contracts;

namespace Profiles.Client.Tests;

/// <summary>Touchpoints as a storefront writes them with the client.</summary>
public static class TouchpointsFor
{
    public static TouchpointInput Visit(string id, int minute, params (string Type, string Value)[] identifiers) =>
        new(id, new DateTimeOffset(2026, 11, 20, 17, 0, 0, TimeSpan.Zero).AddMinutes(minute), "web", "page_view",
            [.. identifiers.Select(i => new IdentifierInput(i.Type, i.Value))]);
}
