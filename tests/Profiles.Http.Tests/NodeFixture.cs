using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Profiles.Testing;

namespace Profiles.Http.Tests;

/// <summary>One embedded Profiles node (the real Program: ASP.NET Core and an Orleans silo in one process),
/// on free silo and gateway ports so test runs never collide.</summary>
public sealed class NodeFixture : WebApplicationFactory<Program>
{
    /// <summary>Small enough to test the 413 without megabytes of test data, large enough for 1000 touchpoints.</summary>
    public const long MaxRequestBytes = 1024 * 1024;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Profiles:SiloPort", FreePort.Next().ToString());
        builder.UseSetting("Profiles:GatewayPort", FreePort.Next().ToString());
        builder.UseSetting("Profiles:MaxRequestBytes", MaxRequestBytes.ToString());
    }
}

[CollectionDefinition(Name)]
public sealed class NodeCollection : ICollectionFixture<NodeFixture>
{
    public const string Name = "embedded node";
}
