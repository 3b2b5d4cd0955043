using Profiles.Testing;

namespace Profiles.Import.Tests;

/// <summary>One node process for the end-to-end tests (embedded mode), with an API key for the import; every
/// test uses identifiers of its own.</summary>
public sealed class NodeFixture : IAsyncLifetime
{
    public const string Key = "crm-import-key-3b9d";

    public NodeProcess Node { get; private set; } = null!;

    /// <summary>The HTTP API's calls with the import's key, for seeding and checking.</summary>
    public Api Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Node = await NodeProcess.StartAsync(null, $"import-{Guid.NewGuid():n}",
            $"--Profiles:ApiKeys:crm:Key={Key}", "--Profiles:ApiKeys:crm:Roles=ingest,read");
        Api = new Api(Node.Client(Key));
    }

    public async Task DisposeAsync() => await Node.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class NodeCollection : ICollectionFixture<NodeFixture>
{
    public const string Name = "node";
}
