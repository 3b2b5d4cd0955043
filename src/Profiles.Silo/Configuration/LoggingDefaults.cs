using Profiles.Silo.Operations;

namespace Profiles.Silo.Configuration;

public static class LoggingDefaults
{
    /// <summary>
    /// Quiet defaults that hold even without appsettings.json (a deployment that left it out): Orleans and
    /// the framework log every placement and result at Information, which costs more CPU than ingesting.
    /// Any configuration source can still raise them. The framework's request logs are held at Warning
    /// whatever the configuration says: lookup URLs carry identifiers, and no identifier may reach a log. Refused API
    /// keys are answered to the caller, not logged: a line per refusal would let anyone flood the log.
    /// </summary>
    public static void Apply(WebApplicationBuilder builder)
    {
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Information",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
                ["Logging:LogLevel:Orleans"] = "Warning",
                ["Logging:LogLevel:Polly"] = "Warning",
                [$"Logging:LogLevel:{typeof(ApiKeyAuthenticationHandler).FullName}"] = "Warning",
            },
        });
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore.Routing", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore.Http.Result", LogLevel.Warning);
    }
}
