using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Profiles.Core.Profiles;

namespace Profiles.Grains.Journey;

/// <summary>
/// Removed content (<see cref="RemovedContent"/>) as a journey stores it: the folded figures in Orleans' binary form,
/// the form profile snapshots are stored in, through the same codecs (<c>Serialization/CoreSurrogates.cs</c>). The
/// serializer is the store's own, built once, so that a store made outside a silo (a test, a tool) reads and writes
/// them alike.
/// </summary>
public static class StoredRemovedContent
{
    private static readonly Lazy<Serializer<ProfileContent>> Serializer = new(() =>
        new ServiceCollection().AddSerializer(builder => builder.AddAssembly(typeof(StoredRemovedContent).Assembly))
            .BuildServiceProvider().GetRequiredService<Serializer<ProfileContent>>());

    public static byte[] Encode(ProfileContent content) => Serializer.Value.SerializeToArray(content);

    public static ProfileContent Decode(byte[] stored) =>
        Serializer.Value.Deserialize(stored) ?? throw new InvalidDataException("A null removed content in a journey.");
}
