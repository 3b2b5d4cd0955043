using Profiles.Testing;

namespace Profiles.Segment.Tests;

/// <summary>
/// Nodes started as the README says, with the write keys a retailer would configure: the web site's (role
/// <c>collect</c>, the storefront's origin), the app's (channel <c>app</c>), a back office's <c>ingest</c> key, a
/// till's <c>read</c> key and a privacy tool's <c>erase</c> key, and the purposes its consent manager's categories stand
/// for; and one node with no keys at all, the embedded default.
/// </summary>
public sealed class SegmentNodes : IAsyncLifetime
{
    public const string WebKey = "web-write-key-3f9a";
    public const string AppKey = "app-write-key-81c4";
    public const string IngestKey = "ingest-key-5b20";
    public const string ReadKey = "read-key-c7e1";
    public const string EraseKey = "erase-key-09d3";

    /// <summary>The storefront whose pages load analytics.js with the web key (<see cref="StorefrontServer"/>).</summary>
    public static readonly string StorefrontOrigin = $"http://localhost:{FreePort.Next()}";

    public static readonly string[] Keys =
    [
        $"--Profiles:ApiKeys:web:Key={WebKey}", "--Profiles:ApiKeys:web:Roles=collect", $"--Profiles:ApiKeys:web:Origins={StorefrontOrigin}",
        $"--Profiles:ApiKeys:app:Key={AppKey}", "--Profiles:ApiKeys:app:Roles=collect", "--Profiles:ApiKeys:app:Channel=app",
        $"--Profiles:ApiKeys:backoffice:Key={IngestKey}", "--Profiles:ApiKeys:backoffice:Roles=ingest",
        $"--Profiles:ApiKeys:till:Key={ReadKey}", "--Profiles:ApiKeys:till:Roles=read",
        $"--Profiles:ApiKeys:privacy:Key={EraseKey}", "--Profiles:ApiKeys:privacy:Roles=erase",
        "--Profiles:Segment:ConsentCategories:Advertising=marketing", "--Profiles:Segment:ConsentCategories:Analytics=analytics",
        "--Profiles:Segment:ConsentCategories:Personalization=personalisation",
    ];

    public NodeProcess Keyed { get; private set; } = null!;

    public NodeProcess Open { get; private set; } = null!;

    /// <summary>A reader of <see cref="Keyed"/>'s profiles.</summary>
    public Api KeyedReader { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var keyed = NodeProcess.StartAsync(null, "segment-keyed", Keys);
        var open = NodeProcess.StartAsync(null, "segment-open");
        Keyed = await keyed;
        Open = await open;
        KeyedReader = new Api(Keyed.Client(ReadKey), serverLog: () => Keyed.LogTail);
    }

    public async Task DisposeAsync()
    {
        if (Keyed is not null) await Keyed.DisposeAsync();
        if (Open is not null) await Open.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class SegmentNodesCollection : ICollectionFixture<SegmentNodes>
{
    public const string Name = "nodes with write keys";
}
