using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Profiles.Silo.Operations;

namespace Profiles.Http.Tests;

/// <summary>
/// A call's summary, role and latency metric are declared once, on its endpoint; the API key checks, the OpenAPI
/// document and the metrics read them from there. These tests read the node's endpoints as routing sees them.
/// </summary>
[Collection(NodeCollection.Name)]
public class EndpointMetadataTests(NodeFixture node)
{
    public static TheoryData<string, string, string, string?> Calls => new()
    {
        { "POST", "/v1/touchpoints", ApiRoles.Ingest, "ingest" },
        { "GET", "/v1/profiles/lookup", ApiRoles.Read, "lookup" },
        { "POST", "/v1/profiles/lookup", ApiRoles.Read, "lookup" },
        { "GET", "/v1/profiles/{profileId}", ApiRoles.Read, "lookup" },
        { "GET", "/v1/profiles/{profileId}/journey", ApiRoles.Read, null },
        { "GET", "/v1/profiles/live", ApiRoles.Read, null },
        { "GET", "/v1/profiles/{profileId}/live", ApiRoles.Read, null },
        { "DELETE", "/v1/profiles/{profileId}", ApiRoles.Erase, null },
        { "GET", "/v1/stats", ApiRoles.Read, null },
        { "GET", "/v1/stats/history", ApiRoles.Read, null },
        { "POST", "/v1/stats/recount", ApiRoles.Admin, null },
        { "POST", "/v1/batch", ApiRoles.Collect, "ingest" },
        { "POST", "/v1/b", ApiRoles.Collect, "ingest" },
        { "POST", "/v1/identify", ApiRoles.Collect, "ingest" },
        { "POST", "/v1/t", ApiRoles.Collect, "ingest" },
    };

    [Fact]
    public void The_segment_calls_take_a_write_key_and_every_other_call_does_not()
    {
        var api = Endpoints().Where(e => e.RoutePattern.RawText!.StartsWith("/v1/", StringComparison.Ordinal)).ToList();

        var takingWriteKeys = api.Where(e => e.Metadata.GetMetadata<AcceptsWriteKey>() is not null).Select(e => e.RoutePattern.RawText).Order();

        Assert.Equal(["/v1/a", "/v1/alias", "/v1/b", "/v1/batch", "/v1/g", "/v1/group", "/v1/i", "/v1/identify", "/v1/p", "/v1/page", "/v1/s", "/v1/screen", "/v1/t", "/v1/track"],
            takingWriteKeys);
        Assert.All(api.Where(e => e.Metadata.GetMetadata<AcceptsWriteKey>() is not null),
            e => Assert.Equal(ApiRoles.Collect, Assert.Single(e.Metadata.GetOrderedMetadata<RequiresRoleAttribute>()).Role));
    }

    [Fact]
    public void Every_endpoint_under_v1_needs_a_key_and_names_only_known_roles_and_has_a_summary()
    {
        var api = Endpoints().Where(e => e.RoutePattern.RawText!.StartsWith("/v1/", StringComparison.Ordinal)).ToList();

        Assert.NotEmpty(api);
        Assert.All(api, endpoint =>
        {
            Assert.NotEmpty(endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>());
            Assert.Null(endpoint.Metadata.GetMetadata<IAllowAnonymous>());
            Assert.All(endpoint.Metadata.GetOrderedMetadata<RequiresRoleAttribute>(), required => Assert.Contains(required.Role, ApiRoles.All));
            Assert.False(string.IsNullOrWhiteSpace(endpoint.Metadata.GetMetadata<IEndpointSummaryMetadata>()?.Summary), endpoint.DisplayName);
        });
    }

    [Theory]
    [MemberData(nameof(Calls))]
    public void Each_call_carries_its_role_and_its_latency_histogram(string method, string route, string role, string? histogram)
    {
        var endpoint = Assert.Single(Endpoints(), e =>
            e.RoutePattern.RawText == route && e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.Contains(method) == true);

        Assert.Equal(role, Assert.Single(endpoint.Metadata.GetOrderedMetadata<RequiresRoleAttribute>()).Role);
        Assert.Same(histogram switch
        {
            "ingest" => LatencyHistogram.Ingest,
            "lookup" => LatencyHistogram.Lookup,
            _ => null,
        }, endpoint.Metadata.GetMetadata<LatencyHistogram>());
    }

    private IEnumerable<RouteEndpoint> Endpoints() =>
        node.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>();
}
