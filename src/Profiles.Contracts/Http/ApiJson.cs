using System.Text.Json;
using System.Text.Json.Serialization;

namespace Profiles.Contracts.Http;

/// <summary>JSON as the HTTP API speaks it: camelCase names (read case-insensitively), members that are null left out
/// of what is sent, so an absent <c>occurredAt</c> or <c>id</c> is the node's to fill in. Trait names and null trait
/// values (which remove a trait) are kept as given.</summary>
public static class ApiJson
{
    public static JsonSerializerOptions Options { get; } = ReadOnly(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    });

    private static JsonSerializerOptions ReadOnly(JsonSerializerOptions options)
    {
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
