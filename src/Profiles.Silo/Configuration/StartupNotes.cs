namespace Profiles.Silo.Configuration;

/// <summary>What an operator must know about how this node was started.</summary>
public static class StartupNotes
{
    public static void Log(ILogger logger, ProfilesOptions options)
    {
        if (options.IsEmbedded)
        {
            logger.LogWarning("Embedded mode (no Profiles:Redis): one node, in-memory grain storage and journeys. All data is lost on restart.");
        }
        if (string.IsNullOrEmpty(options.HashKey))
        {
            logger.LogWarning("Profiles:HashKey is not set: identifiers are hashed with the fixed development key. Set a secret key before storing real customers.");
        }
    }
}
