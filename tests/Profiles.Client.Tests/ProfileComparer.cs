using System.Text.Json;
using Profiles.Contracts;

namespace Profiles.Client.Tests;

/// <summary>Two profile answers are the same when they serialise to the same JSON (records compare lists by reference).</summary>
public sealed class ProfileComparer : IEqualityComparer<Profile?>
{
    public static readonly ProfileComparer Instance = new();

    public bool Equals(Profile? x, Profile? y) => Json(x) == Json(y);

    public int GetHashCode(Profile? profile) => Json(profile).GetHashCode(StringComparison.Ordinal);

    public static string Json(Profile? profile) => JsonSerializer.Serialize(profile, JsonSerializerOptions.Web);
}
