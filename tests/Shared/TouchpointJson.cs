using System.Text.Json.Nodes;

namespace Profiles.Tests;

/// <summary>Touchpoints as a client sends them: the JSON body of POST /v1/touchpoints.</summary>
public static class TouchpointJson
{
    /// <param name="occurredAt">Null: left out, so the node uses the time of receipt.</param>
    public static JsonObject Make(string id, string channel, string type, DateTimeOffset? occurredAt, params (string Type, string Value)[] identifiers)
    {
        var touchpoint = new JsonObject { ["id"] = id };
        if (occurredAt is { } at) touchpoint["occurredAt"] = at.ToString("O");
        touchpoint["channel"] = channel;
        touchpoint["type"] = type;
        touchpoint["identifiers"] = Identifiers(identifiers);
        return touchpoint;
    }

    public static JsonArray Identifiers(IEnumerable<(string Type, string Value)> identifiers) =>
        new([.. identifiers.Select(i => (JsonNode)new JsonObject { ["type"] = i.Type, ["value"] = i.Value })]);
}
