namespace Profiles.Grains;

/// <summary>The grain storage provider the grains persist to (memory in the embedded default, Redis when configured).</summary>
public static class ProfilesStorage
{
    public const string Name = "profiles";
}
