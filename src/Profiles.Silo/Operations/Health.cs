using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Profiles.Silo.Operations;

/// <summary>/health/live: the process answers. /health/ready: this silo is an active member of the cluster
/// and the storage answers (<see cref="NodeReadiness"/>).</summary>
public static class Health
{
    private const string Ready = "ready";

    public static void AddProfilesHealthChecks(this IServiceCollection services)
    {
        services.AddSingleton<StorageWatch>();
        services.AddHostedService(s => s.GetRequiredService<StorageWatch>());
        services.AddSingleton<Profiles.Grains.Storage.IStorageGate>(s => s.GetRequiredService<StorageWatch>());
        services.AddSingleton<NodeReadiness>();
        services.AddHealthChecks()
            .AddCheck<ClusterMemberCheck>("cluster", tags: [Ready])
            .AddCheck<StorageCheck>("storage", tags: [Ready]);
    }

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

    private sealed class ClusterMemberCheck(NodeReadiness readiness) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken) =>
            Task.FromResult(Result(readiness.ClusterProblem()));
    }

    private sealed class StorageCheck(StorageWatch storage, NodeReadiness readiness) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken)
        {
            await storage.PingAsync();
            return Result(readiness.StorageProblem());
        }
    }

    private static HealthCheckResult Result(string? problem) =>
        problem is null ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy(problem);
}
