using System.Globalization;
using System.Text.Json;

namespace Profiles.Testing;

/// <summary>A trait or a property of a touchpoint. The value is kept as JSON text, so strings and numbers
/// travel in one shape and are written as they are.</summary>
public readonly record struct JsonField(string Name, string ValueJson)
{
    public static JsonField Text(string name, string value) => new(name, JsonSerializer.Serialize(value));

    public static JsonField Number(string name, double value) => new(name, value.ToString("R", CultureInfo.InvariantCulture));
}
