using Profiles.Core.Profiles;

namespace Profiles.Core.Tests;

internal static class MergeTree
{
    /// <summary>Merges the parts two at a time, a random one into another random one, until one is left.</summary>
    public static ProfileContent Random(Random random, List<ProfileContent> parts)
    {
        while (parts.Count > 1)
        {
            var a = parts[random.Next(parts.Count)];
            parts.Remove(a);
            var b = parts[random.Next(parts.Count)];
            b.Merge(a);
        }
        return parts[0];
    }
}
