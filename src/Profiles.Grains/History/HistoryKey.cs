using System.Security.Cryptography;
using System.Text;
using Profiles.Grains.Journey;

namespace Profiles.Grains.History;

/// <summary>
/// The key of a profile's rows in PostgreSQL: the first 16 bytes of the SHA-256 of its id, which is also the start of
/// its <see cref="ErasureMarker"/>. An erasure remembered only by its marker can thus still find the rows, and the
/// table stores no profile id; 16 bytes keep two profiles apart as surely as the id does.
/// </summary>
public static class HistoryKey
{
    private const int Bytes = 16;

    public static byte[] Of(string profileId) => SHA256.HashData(Encoding.UTF8.GetBytes(profileId))[..Bytes];

    public static byte[] OfMarker(string erasureMarker) => Convert.FromHexString(erasureMarker.AsSpan(0, Bytes * 2));
}
