using Profiles.Silo.Operations;

namespace Profiles.Silo.Configuration;

public static class LoggingDefaults
{
    /// <summary>The framework's categories that write a request's address, its query included: a GET lookup or live
    /// stream names an identifier there (the request lines of <c>Hosting.Diagnostics</c>, the malformed request lines of
    /// Kestrel's bad-request log).</summary>
    public static readonly IReadOnlyList<string> RequestAddressCategories =
        ["Microsoft.AspNetCore.Hosting.Diagnostics", "Microsoft.AspNetCore.Server.Kestrel.BadRequests"];

    /// <summary>
    /// Quiet defaults that hold even without appsettings.json (a deployment that left it out): Orleans and
    /// the framework log every placement and result at Information, which costs more CPU than ingesting.
    /// Any configuration source can still raise them, except the framework's request addresses
    /// (<see cref="RequestAddressCategories"/>), which no level and no provider-specific setting brings back below
    /// Warning: no identifier may reach a log. Refused API keys are answered to the caller, not logged: a line per
    /// refusal would let anyone flood the log.
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
        builder.Logging.AddFilter("Microsoft.AspNetCore.Routing", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore.Http.Result", LogLevel.Warning);
        builder.Services.PostConfigure<LoggerFilterOptions>(HoldRequestAddressesAtWarning);
    }

    /// <summary>Of the rules that match a category, one naming a provider wins over any that does not, then the longest
    /// category, then the last added. So these rules, added after every configuration source was read (and again on
    /// every reload), are given for each provider a rule names as well as for all, each for the exact category.</summary>
    private static void HoldRequestAddressesAtWarning(LoggerFilterOptions options)
    {
        var providers = options.Rules.Select(rule => rule.ProviderName).Where(name => name is not null).Distinct().Append(null).ToList();
        foreach (var provider in providers)
        {
            foreach (var category in RequestAddressCategories)
            {
                options.Rules.Add(new LoggerFilterRule(provider, category, LogLevel.Warning, filter: null));
            }
        }
    }
}
