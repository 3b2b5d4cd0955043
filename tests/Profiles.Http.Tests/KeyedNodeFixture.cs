using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Profiles.Testing;

namespace Profiles.Http.Tests;

/// <summary>An embedded node with API keys configured (docs/API.md, "Operating a node"): one key per role, and one with all.</summary>
public sealed class KeyedNodeFixture : WebApplicationFactory<Program>
{
    public const string IngestKey = "ingest-secret-7f3a";
    public const string ReadKey = "read-secret-91c2";
    public const string EraseKey = "erase-secret-5d0e";
    public const string AdminKey = "admin-secret-c4b8";
    public const string OperatorKey = "operator-secret-2e6f";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Profiles:SiloPort", FreePort.Next().ToString());
        builder.UseSetting("Profiles:GatewayPort", FreePort.Next().ToString());
        builder.UseSetting("Profiles:ApiKeys:pos:Key", IngestKey);
        builder.UseSetting("Profiles:ApiKeys:pos:Roles", "ingest");
        builder.UseSetting("Profiles:ApiKeys:till:Key", ReadKey);
        builder.UseSetting("Profiles:ApiKeys:till:Roles", "read");
        builder.UseSetting("Profiles:ApiKeys:privacy:Key", EraseKey);
        builder.UseSetting("Profiles:ApiKeys:privacy:Roles", "erase");
        builder.UseSetting("Profiles:ApiKeys:admin:Key", AdminKey);
        builder.UseSetting("Profiles:ApiKeys:admin:Roles", "ingest, read ,erase");
        builder.UseSetting("Profiles:ApiKeys:operator:Key", OperatorKey);
        builder.UseSetting("Profiles:ApiKeys:operator:Roles", "admin");
    }

    /// <summary>A client sending <paramref name="key"/> as a Bearer key (none when null).</summary>
    public HttpClient ClientWith(string? key, string scheme = "Bearer")
    {
        var client = CreateClient();
        if (key is not null) client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", $"{scheme} {key}");
        return client;
    }
}

[CollectionDefinition(Name)]
public sealed class KeyedNodeCollection : ICollectionFixture<KeyedNodeFixture>
{
    public const string Name = "node with API keys";
}
