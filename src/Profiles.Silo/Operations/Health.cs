using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Profiles.Grains.Journey;

namespace Profiles.Silo.Operations;

/// <summary>/health/live: the process answers. /health/ready: this silo is an active member of the cluster
/// and the storage answers.</summary>
public static class Health
{
    private const string Ready = "ready";

    public static void AddProfilesHealthChecks(this IServiceCollection services) =>
        services.AddHealthChecks()
            .AddCheck<ClusterMemberCheck>("cluster", tags: [Ready])
            .AddCheck<StorageCheck>("storage", tags: [Ready]);

    public static void MapProfilesHealthChecks(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = Write });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(Ready), ResponseWriter = Write });
    }

    /// <summary>Healthy: plain text. Otherwise a problem naming the failing checks, like every other error.</summary>
    private static Task Write(HttpContext context, HealthReport report)
    {
        if (report.Status == HealthStatus.Healthy)
        {
            context.Response.ContentType = "text/plain";
            return context.Response.WriteAsync("Healthy");
        }
        context.Response.ContentType = "application/problem+json";
        var failing = report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy).Select(e => $"{e.Key}: {e.Value.Description}");
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            type = "https://tools.ietf.org/html/rfc9110#section-15.6.4",
            title = "Not ready",
            status = context.Response.StatusCode,
            detail = string.Join("; ", failing),
        }));
    }

    private sealed class ClusterMemberCheck(IClusterMembershipService membership, ILocalSiloDetails silo) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken)
        {
            var status = membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress);
            return Task.FromResult(status == SiloStatus.Active
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"this silo is {status}, not an active member of the cluster"));
        }
    }

    private sealed class StorageCheck(IJourneyStore journeys) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken)
        {
            try
            {
                await journeys.PingAsync();
                return HealthCheckResult.Healthy();
            }
            catch (Exception e)
            {
                return HealthCheckResult.Unhealthy($"storage unreachable ({e.GetType().Name})");
            }
        }
    }
}
