using System.Security.Cryptography;
using System.Text;

namespace Profiles.Grains.Journey;

/// <summary>How an erased profile is remembered: by the SHA-256 of its id, so no store keeps the id itself.</summary>
public static class ErasureMarker
{
    public static string Of(string profileId) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(profileId)));
}
