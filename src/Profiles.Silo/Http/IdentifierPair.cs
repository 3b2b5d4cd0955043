using System.Text.Json;
using Profiles.Core.Identifiers;
using Profiles.Core.Touchpoints;

namespace Profiles.Silo.Http;

/// <summary>
/// The body of an unlink or relink: <c>{ "identifiers": [ A, B ] }</c>, each <c>{ "type", "value" }</c>,
/// <c>{ "type", "sha256" }</c>, or <c>{ "type", "key" }</c> (the stored key a profile answer shows, so staff
/// screens can name an identifier without its value).
/// </summary>
public static class IdentifierPair
{
    private const int KeyLength = 64;

    /// <returns>Null with the two identifiers, or what is wrong, naming the field.</returns>
    public static string? Read(JsonElement body, IdentifierReader reader, out IdentifierRef[] pair)
    {
        pair = [];
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("identifiers"u8, out var list) || list.ValueKind != JsonValueKind.Array)
            return "identifiers: is required, an array of two identifiers";
        if (list.GetArrayLength() != 2) return "identifiers: must hold exactly two identifiers";
        var read = new IdentifierRef[2];
        for (var i = 0; i < 2; i++)
        {
            if (ReadOne(list[i], reader, out read[i]) is { } problem) return $"identifiers[{i}].{problem}";
        }
        if (read[0].Key == read[1].Key) return "identifiers: are the same identifier twice";
        pair = read;
        return null;
    }

    private static string? ReadOne(JsonElement item, IdentifierReader reader, out IdentifierRef identifier)
    {
        identifier = null!;
        if (item.ValueKind != JsonValueKind.Object) return "type: is required (each identifier is an object)";
        var type = Text(item, "type");
        var (value, sha256, key) = (Text(item, "value"), Text(item, "sha256"), Text(item, "key"));
        if (string.IsNullOrEmpty(type)) return "type: is required";
        if (key is null) return reader.ReadNamed(type, value, sha256, out identifier);
        if (!IdentifierNormalizer.IsValidType(type)) return "type: must match [a-z0-9_]{1,32}";
        if (value is not null || sha256 is not null) return "key: give one of value, sha256 or key";
        if (key.Length != KeyLength || !key.All(char.IsAsciiHexDigitLower)) return "key: must be 64 lower-case hexadecimal characters (an identifier's key)";
        identifier = new IdentifierRef(type, key, IdentifierHint.Hashed, FromHash: true);
        return null;
    }

    private static string? Text(JsonElement item, string name) =>
        item.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.String ? element.GetString() : null;
}
