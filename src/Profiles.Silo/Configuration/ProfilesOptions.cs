namespace Profiles.Silo.Configuration;

/// <summary>The <c>Profiles</c> configuration section (docs/OPERATIONS.md, "Configuration"); any ASP.NET Core source works.</summary>
public sealed class ProfilesOptions
{
    public const string Section = "Profiles";

    /// <summary>The fixed key of the embedded default: fine for trying Profiles, never for real customers.</summary>
    public const string DevelopmentHashKey = "profiles-development-hash-key-do-not-use-in-production";

    /// <summary>A StackExchange.Redis connection string. Absent: the embedded, in-memory default.</summary>
    public string? Redis { get; set; }

    public string ClusterId { get; set; } = "profiles";

    public string ServiceId { get; set; } = "profiles";

    public int SiloPort { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    /// <summary>The IP address or host name other nodes reach this node's silo port at (Redis mode).</summary>
    public string AdvertisedAddress { get; set; } = "127.0.0.1";

    /// <summary>The secret of the identifier HMAC. Changing it makes every stored identifier unknown.</summary>
    public string? HashKey { get; set; }

    /// <summary>The region national phone numbers are read in (ISO 3166 two letters).</summary>
    public string DefaultRegion { get; set; } = "FR";

    /// <summary>The largest request body accepted; larger answers 413. 1000 touchpoints of a few KiB fit.</summary>
    public long MaxRequestBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>How many ingest requests a node works on at once; more wait their turn (see IngestGate).</summary>
    public int ConcurrentIngestRequests { get; set; } = 4;

    /// <summary>Shortly after an ingest failed, the longest an ingest request waits for a slot before it answers 503
    /// (see IngestGate).</summary>
    public TimeSpan IngestQueueLimit { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest a lookup, a profile read or a journey page takes before it answers 503 (see
    /// ReadDeadlineFilter).</summary>
    public TimeSpan ReadDeadline { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How many Redis replicas must have a write before it is acknowledged (Redis' WAIT after each write
    /// batch); 0: the master's answer is enough.</summary>
    public int WaitReplicas { get; set; }

    /// <summary>How long a write batch waits for <see cref="WaitReplicas"/> replicas before it fails (answered 503).</summary>
    public TimeSpan WaitReplicasTimeout { get; set; } = TimeSpan.FromSeconds(1);

    public bool IsEmbedded => string.IsNullOrWhiteSpace(Redis);
}
