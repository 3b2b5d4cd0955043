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

    /// <summary>Healthy: plain text. Degraded (still ready, some storage shards missing): plain text naming them.
    /// Otherwise a problem naming the failing checks, like every other error.</summary>
    private static Task Write(HttpContext context, HealthReport report)
    {
        if (report.Status != HealthStatus.Unhealthy)
        {
            context.Response.ContentType = "text/plain";
            var degraded = report.Entries.Where(e => e.Value.Status == HealthStatus.Degraded).Select(e => $"{e.Key}: {e.Value.Description}");
            return context.Response.WriteAsync(report.Status == HealthStatus.Healthy ? "Healthy" : $"Degraded: {string.Join("; ", degraded)}");
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
            if (readiness.StorageProblem() is { } problem) return HealthCheckResult.Unhealthy(problem);
            return readiness.StorageDegradation() is { } degradation ? HealthCheckResult.Degraded(degradation) : HealthCheckResult.Healthy();
        }
    }

    private static HealthCheckResult Result(string? problem) =>
        problem is null ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy(problem);
}
