using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Profiles.Grains.Identity;

namespace Profiles.Cluster.Tests;

/// <summary>
/// A profile's state is stored in Orleans' binary format, so what a version of Profiles stored must read back in the
/// versions after it. The state below is <see cref="EveryKindOfContent"/>'s profile as the version before Core's records
/// carried their own serializers stored it (docs/OPERATIONS.md, "Upgrading"), a version that kept no consent.
/// </summary>
public class StoredProfileStateTests
{
    private static readonly DateOnly Day = new(2026, 3, 14);

    private const string StoredByTheEarlierVersion = """
        ICAgMAExLNQuHVN0cmluZ0NvbXBhcmVyAAMBAeABCUGBYzRiOWRkMzY0ODBhNzZmODQyMTFmM2U1YTZiYzQzN2E1M2QzOGM1MjFiOWFiZDY5
        OTVmYmY2NTA2MzVmZmE5NyBAC2VtYWlsQSFwKioqQGV4YW1wbGUuY29tAQEhgACoF3I5Yt4IgQAAAAAAAAAA4CGAALi8q++A3giBAAAAAAAA
        AADg4ECBYzc1NzZkMzMyYzJmZTRhMGZkOTk3OWE1NDUzMDMzOWZkNTgzMjNiNGEzNTVmNjVhOGQ5ZDY2ODBjODgxODU4YyBADWNvb2tpZUEN
        YyoqKjNhAQEhgACoF3I5Yt4IgQAAAAAAAAAA4CGAAODQxqh/3giBAAAAAAAAAADg4ECBYmRjZGFkMzJmYzVjNDEzODc2MWUxNzAzMjJiNjYz
        NzQ0NzJkM2FkYjllNDFjZDQ2OTA0NGFjZTEyZGVjMWQ2MyBAC3Bob25lQSErMzMgNioqICoqICoqIDc4AQEhgAAYQ2BseN4IgQAAAAAAAAAA
        4CGAABhDYGx43giBAAAAAAAAAADg4ECBZTc4NTVmNjljNDMxZGI1MjE5MGRlNjBlNTM5NTA0YzMwMDhmZDY3OTVjMWQ1OTk0ZGI3ZDIzYWZj
        MzZmNjExMiBADWNybV9pZEERKGhhc2hlZCkBAyGAALi8q++A3giBAAAAAAAAAADgIYAAuLyr74DeCIEAAAAAAAAAAODg4CE4AwADAQHgAQVB
        FWZpcnN0X25hbWUgQA0iUGF1bCIhgAAYQ2BseN4IgQAAAAAAAAAA4EEJdHAtMuBACWNpdHkgwAEhgADg0Maof94IgQAAAAAAAAAA4EEJdHAt
        M+DgITgDAAMBAeABB0EHd2ViIAAJIYAAqBdyOWLeCIEAAAAAAAAAAOAhgADg0Maof94IgQAAAAAAAAAA4OBAC3N0b3JlIAAFIYAAGENgbHje
        CIEAAAAAAAAAAOAhgAAYQ2BseN4IgQAAAAAAAAAA4OBAB2FwcCAABSGAALi8q++A3giBAAAAAAAAAADgIYAAuLyr74DeCIEAAAAAAAAAAODg
        4AERIYAAqBdyOWLeCIEAAAAAAAAAAOAhgAC4vKvvgN4IgQAAAAAAAAAA4CE4AwADAQHgAQNBi3RwLTR8ZjA3NGRjNDA1MGJiYjA4NzNhMGFk
        MWNlZDk0YTJmNTJlZmE5ZmU1YzA1MjY5NDE4OTc4YWI2ZjY1NmZjYTM5YSDAQUGBZjA3NGRjNDA1MGJiYjA4NzNhMGFkMWNlZDk0YTJmNTJl
        ZmE5ZmU1YzA1MjY5NDE4OTc4YWI2ZjY1NmZjYTM5YUEhKzMzIDcqKiAqKiAqKiAzMkELbGltaXRBCXRwLTQhgAC4vKvvgN4IgQAAAAAAAAAA
        4ODgITgDAAMBAeABFUERazU1aEtUdEggACEBASEACQEElLQAxJW0AFSWtAB0lrTgIQAJAQUABQAFAAXgwQHBAcEBwQEhAAkBBQAFAAUABeAh
        AAVBC3Nob2VzQAliYWdz4CEACQEBAAEABQAF4CEACQEFAAUABQAF4MEB4EARQkE1WG5jOUEgAB0BASEACQEElLQAxJW0AFSWtAB0lrTgIQAJ
        AQUABQAFAAXgwQHBAcEBwQEhAAkBBQAFAAUABeAhAAXBegLAfgLgIQAJAQEAAQAFAAXgIQAJAQUABQAFAAXgwQHgQBF1YjJ3aTUvViAAEQEB
        wQHBAcEBwQHBAcEBwQHBAcEBwQEhIIAAqBdyOWLeCIEAAAAAAAAAAOBBCXRwLTFBCyJ3ZWIi4OBAEW5rUkxEeTFkIAAVAQHBAcEBwQHBAcEB
        wQHBAcEBwQHBASEggAC4vKvvgN4IgQAAAAAAAAAA4MHzQQ0iYmFncyLg4EARNkxudnJKTEggAA0BA8EBIQADAQngIQADAQngwQHBASEAA0Eh
        AAAAAAAAAADiBAAAAAAAAODBAcEBwQHBAcEB4EARVFlCSVIreEogAAEBA8EBIQADAQngwQHBAcEBwQHBAcEBwQHBAcEB4EARcTRUd2xHVzYg
        AAEBASEABQHElbQAdJa04CEABQEFAAXgwQHBAcEBwQHBAcEBwQHBAcEB4EART1gyNUNXcSsgAAUBA8EBIQADAQngIQADAQngIQADQSEAAAEA
        AAAAAFc0AAAAAAAA4MEBwQHBAcEBwQHBAcEB4EARZUR6SE9sdGYgAAkBASEABQHElbQAdJa04CEABQEFAAXgIQAFAQUABeDBASEABUEhAAAB
        AAAAAACDAwAAAAAAAEAhAAAAAAAAAADiBAAAAAAAAODBAcEBwQHBAcEBwQHgQBF3aTlTNzhDQyAAGQEDwQEhAAMBCeDBAcEBwQHBASEAAwEJ
        4CEABUEFUzFABVMy4CEABQEBAAXgIQAFAQUABeDBAeDgIQAVwQIEwLYCwO4EwFYEwEIFwAoCwLIDwJoEwGIDwK4F4CE4AwADAQHgAQfBKyCA
        AKgXcjli3gjBqgPBJ+DAQSCAABhDYGx43gjBf8E94MAVIIAAuLyr74DeCMHzwRHg4CE4AwADAQHgAQNBBgJiZGNkYWQzMmZjNWM0MTM4NzYx
        ZTE3MDMyMmI2NjM3NDQ3MmQzYWRiOWU0MWNkNDY5MDQ0YWNlMTJkZWMxZDYzfGM0YjlkZDM2NDgwYTc2Zjg0MjExZjNlNWE2YmM0MzdhNTNk
        MzhjNTIxYjlhYmQ2OTk1ZmJmNjUwNjM1ZmZhOTcgAAGBAPR0xR2B3ghBCW9wLTHBPcER4ODgwQEBASE4AwADAQHgAQNBNTAxSlE4WjNNMksw
        MDAwMDAwMDAwMDAwMDAy4AEVAQUBGSE4AwADAQHg4CE4AwADAQHgAQPB6gbAPeDBASE4AwADAQHg4OA=
        """;

    private readonly Serializer _serializer = new ServiceCollection()
        .AddSerializer(serializer => serializer.AddAssembly(typeof(ProfileState).Assembly))
        .BuildServiceProvider()
        .GetRequiredService<Serializer>();

    [Fact]
    public void A_profile_stored_by_the_earlier_version_reads_back_with_everything_it_held()
    {
        var read = _serializer.Deserialize<ProfileState>(Convert.FromBase64String(StoredByTheEarlierVersion))!;

        AssertSame(State(withConsent: false), read);
    }

    [Fact]
    public void A_stored_profile_reads_back_with_everything_it_held_and_goes_on_folding()
    {
        var state = State();

        var read = _serializer.Deserialize<ProfileState>(_serializer.SerializeToArray(state))!;

        AssertSame(state, read);
        var later = EveryKindOfContent.Touchpoints(Day.AddDays(30)).Select(t => t with { Id = $"later-{t.Id}" }).ToArray();
        foreach (var touchpoint in later)
        {
            state.Content.Add(touchpoint, EveryKindOfContent.Personalisation.Computed);
            read.Content.Add(touchpoint, EveryKindOfContent.Personalisation.Computed);
        }
        Assert.Equal(EveryKindOfContent.Seen(state.Content, Day.AddDays(30)), EveryKindOfContent.Seen(read.Content, Day.AddDays(30)));
    }

    /// <summary>The profile of <see cref="EveryKindOfContent"/> on <see cref="Day"/>, merged with another.</summary>
    private static ProfileState State(bool withConsent = true)
    {
        var state = new ProfileState
        {
            Content = EveryKindOfContent.Folded(Day, withConsent),
            AppliedLogLength = 5,
            ChangesOutsideLog = 1,
            ReportedVersion = 6,
        };
        state.Merged.Add("01JQ8Z3M2K0000000000000002");
        state.MergedStrongest["01JQ8Z3M2K0000000000000002"] = EveryKindOfContent.Phone.Key;
        return state;
    }

    private static void AssertSame(ProfileState expected, ProfileState read)
    {
        Assert.Equal(EveryKindOfContent.Seen(expected.Content, Day), EveryKindOfContent.Seen(read.Content, Day));
        Assert.Equal((expected.AppliedLogLength, expected.ChangesOutsideLog, expected.ReportedVersion), (read.AppliedLogLength, read.ChangesOutsideLog, read.ReportedVersion));
        Assert.Equal(expected.Merged, read.Merged);
        Assert.Equal(expected.MergedStrongest, read.MergedStrongest);
    }
}
