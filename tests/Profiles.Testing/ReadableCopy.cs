using System.Security.Cryptography;
using System.Text;

namespace Profiles.Testing;

/// <summary>A copy of a build folder that every user of the machine can read and run: a node started as another
/// system user (so that a firewall rule can single out its packets) cannot enter a checkout only its owner may.</summary>
public static class ReadableCopy
{
    /// <summary>Copies <paramref name="folder"/> into the temp folder, afresh: one copy per folder, so runs do not
    /// pile copies up.</summary>
    /// <returns>The copy's path.</returns>
    public static string Of(string folder)
    {
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("Nodes run as another user on Linux only.");
        var copy = Path.Combine(Path.GetTempPath(), $"profiles-silo-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(folder)))[..12]}");
        if (Directory.Exists(copy)) Directory.Delete(copy, recursive: true);
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(copy, Path.GetRelativePath(folder, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
            File.SetUnixFileMode(target, (UnixFileMode)0b110_100_100);
        }
        foreach (var subfolder in Directory.EnumerateDirectories(copy, "*", SearchOption.AllDirectories).Append(copy))
        {
            File.SetUnixFileMode(subfolder, (UnixFileMode)0b111_101_101);
        }
        return copy;
    }
}
