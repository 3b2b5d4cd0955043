using System.Text;

namespace Profiles.Silo.Configuration;

public static class HashKey
{
    public static byte[] Bytes(ProfilesOptions options) =>
        Encoding.UTF8.GetBytes(string.IsNullOrEmpty(options.HashKey) ? ProfilesOptions.DevelopmentHashKey : options.HashKey);
}
