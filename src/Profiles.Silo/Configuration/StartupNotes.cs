using Profiles.Core.Rules;
using Profiles.Grains.Retention;

namespace Profiles.Silo.Configuration;

/// <summary>What an operator must know about how this node was started.</summary>
public static class StartupNotes
{
    public static void Log(ILogger logger, ProfilesOptions options, IdentityRules rules, RetentionOptions retention)
    {
        if (options.IsEmbedded)
        {
            logger.LogWarning("Embedded mode (no Profiles:Redis): one node, in-memory grain storage and journeys. All data is lost on restart.");
        }
        if (string.IsNullOrEmpty(options.HashKey))
        {
            logger.LogWarning("Profiles:HashKey is not set: identifiers are hashed with the fixed development key. Set a secret key before storing real customers.");
        }
        if (!options.IsEmbedded && options.WaitReplicas > 0)
        {
            logger.LogInformation("Writes are acknowledged once {Replicas} Redis replica(s) have them: a write batch waits at most {Timeout} ms for them, then fails (503).",
                options.WaitReplicas, options.WaitReplicasTimeout.TotalMilliseconds);
        }
        LogIdentityRules(logger, rules);
        LogRetention(logger, retention);
    }

    // What is forgotten, and when, is the retailer's policy: stated at every start, including that nothing is.
    private static void LogRetention(ILogger logger, RetentionOptions retention)
    {
        logger.LogInformation("Retention, applied every {Interval}: touchpoints' content {Touchpoints}; anonymous profiles {AnonymousProfiles}.",
            retention.Interval.ToString("c"),
            retention.Touchpoints is { } keep ? $"removed {keep:c} after they occurred" : "kept (Profiles:Retention:Touchpoints is not set)",
            retention.AnonymousProfiles is { } keepAnonymous ? $"erased {keepAnonymous:c} after they were last seen" : "kept (Profiles:Retention:AnonymousProfiles is not set)");
    }

    // Over-merge protection that is missing does no visible harm until two customers become one, so the rules in
    // force are stated at every start, and their absence is a warning.
    private static void LogIdentityRules(ILogger logger, IdentityRules rules)
    {
        var blocked = rules.Blocked.CountsByType();
        logger.LogInformation("Identity rules in force: {Rules}. Blocked values: {BlockedCount} ({BlockedByType}).",
            DescribeRules(rules.Configured), blocked.Values.Sum(), DescribeBlocked(blocked));
        if (rules.Configured.Count == 0)
        {
            logger.LogWarning("No identity rules are configured (Profiles:IdentityRules is empty): identifiers of every type link without limit.");
        }
        if (blocked.Count == 0)
        {
            logger.LogWarning("No blocked values are configured (Profiles:BlockedValues is empty): placeholders such as test@test.com link every customer who gives them.");
        }
    }

    // "crm_id (priority 1, limit 1), ..., cookie (priority 7, unlimited), any other type (weakest, unlimited)":
    // strongest first, the order in which a touchpoint's identifiers are weighed.
    private static string DescribeRules(IReadOnlyDictionary<string, IdentifierRule> configured) =>
        string.Join(", ", configured
            .OrderBy(type => type.Value.Priority).ThenBy(type => type.Key, StringComparer.Ordinal)
            .Select(type => Describe(type.Key, type.Value))
            .Append(Describe("any other type", IdentityRules.Unconfigured)));

    private static string Describe(string type, IdentifierRule rule) =>
        $"{type} ({(rule.Priority == IdentityRules.Unconfigured.Priority ? "weakest" : $"priority {rule.Priority}")}, " +
        $"{(rule.Limit is { } limit ? $"limit {limit}" : "unlimited")})";

    // "10 for every type, 10 email, 6 phone": counts only, the values stay in the configuration.
    private static string DescribeBlocked(IReadOnlyDictionary<string, int> countsByType) =>
        countsByType.Count == 0 ? "none" : string.Join(", ", countsByType
            .OrderBy(type => type.Key == BlockedValues.AnyType ? 0 : 1).ThenBy(type => type.Key, StringComparer.Ordinal)
            .Select(type => type.Key == BlockedValues.AnyType ? $"{type.Value} for every type" : $"{type.Value} {type.Key}"));
}
