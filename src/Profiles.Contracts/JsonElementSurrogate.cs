using System.Text.Json;

namespace Profiles.Contracts;

/// <summary>Trait values are JSON values; they cross the wire as their JSON text.</summary>
[GenerateSerializer, Alias("Profiles.JsonElement")]
public struct JsonElementSurrogate
{
    [Id(0)] public string Json;
}

[RegisterConverter]
public sealed class JsonElementConverter : IConverter<JsonElement, JsonElementSurrogate>
{
    public JsonElement ConvertFromSurrogate(in JsonElementSurrogate surrogate) => JsonElement.Parse(surrogate.Json);

    public JsonElementSurrogate ConvertToSurrogate(in JsonElement value) => new() { Json = value.GetRawText() };
}
