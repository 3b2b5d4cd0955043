using System.Security.Cryptography;
using System.Text;

namespace Profiles.Silo.Operations;

/// <summary>The roles an API key can hold (docs/API.md, "API keys and roles").</summary>
public static class ApiRoles
{
    public const string Ingest = "ingest";
    public const string Read = "read";
    public const string Erase = "erase";

    /// <summary>Corrects identity by hand: unlink two identifiers that are two people, or relink them.</summary>
    public const string Identity = "identity";

    /// <summary>Operator calls that rewrite derived data (the statistics recount): neither a till nor a privacy
    /// tool needs them, and a recount reads every stored standing, which no reader should be able to set off.</summary>
    public const string Admin = "admin";

    /// <summary>Sends events of the Segment Spec, and nothing else: the write key of an analytics library, which sits in
    /// public pages and apps. A key with <see cref="Ingest"/> may send them too.</summary>
    public const string Collect = "collect";

    public static readonly IReadOnlyList<string> All = [Ingest, Read, Erase, Identity, Admin, Collect];

    /// <summary>The roles a key holds for the roles configured: <see cref="Ingest"/> includes <see cref="Collect"/>.</summary>
    public static IEnumerable<string> Held(IEnumerable<string> configured) =>
        configured.SelectMany(role => role == Ingest ? [Ingest, Collect] : new[] { role }).Distinct(StringComparer.Ordinal);
}

/// <summary>One configured key: its name (safe to show and log) and roles. The secret itself is kept only as
/// its SHA-256.</summary>
/// <param name="Channel">The channel of the touchpoints an analytics library sends with this key.</param>
/// <param name="Origins">The web origins (<c>https://shop.example</c>) whose pages may send with this key from a browser.</param>
public sealed record ApiKey(string Name, IReadOnlySet<string> Roles, string Channel, IReadOnlyList<string> Origins)
{
    /// <summary>The channel of a key that names none, and of every caller of a node without keys.</summary>
    public const string DefaultChannel = "web";
}

/// <summary>
/// The API keys of <c>Profiles:ApiKeys:NAME:Key</c> and <c>Profiles:ApiKeys:NAME:Roles</c> (a comma-separated
/// list, or a JSON array), with <c>:Channel</c> and <c>:Origins</c> for analytics libraries' write keys. No key
/// configured: the API is open. A key is compared as the SHA-256 of its UTF-8 bytes, against every configured key,
/// in constant time, so neither the timing nor a log can reveal it.
/// </summary>
public sealed partial class ApiKeys
{
    public const string Section = "Profiles:ApiKeys";

    private readonly (byte[] Hash, ApiKey Key)[] _keys;

    private ApiKeys((byte[] Hash, ApiKey Key)[] keys) => _keys = keys;

    /// <summary>True when no key is configured: every call is allowed.</summary>
    public bool IsOpen => _keys.Length == 0;

    public IEnumerable<ApiKey> Keys => _keys.Select(k => k.Key);

    /// <summary>Reads the keys; a key without a secret, or naming an unknown role, stops the node at start-up
    /// (a typo must not silently lock out, or open up, a client).</summary>
    public static ApiKeys From(IConfiguration configuration)
    {
        var keys = new List<(byte[], ApiKey)>();
        var secrets = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in configuration.GetSection(Section).GetChildren())
        {
            var secret = entry["Key"];
            if (string.IsNullOrWhiteSpace(secret))
            {
                throw new InvalidOperationException($"{Section}:{entry.Key}:Key is empty: every API key needs a secret.");
            }
            if (!secrets.Add(secret))
            {
                throw new InvalidOperationException($"{Section}:{entry.Key}:Key is the secret of another key: give each client its own key.");
            }
            var roles = ReadRoles(entry);
            var unknown = roles.Where(r => !ApiRoles.All.Contains(r)).ToList();
            if (unknown.Count > 0)
            {
                throw new InvalidOperationException(
                    $"{Section}:{entry.Key}:Roles names unknown roles ({string.Join(", ", unknown)}); the roles are {string.Join(", ", ApiRoles.All)}.");
            }
            keys.Add((Hash(secret), new ApiKey(entry.Key, roles, ReadChannel(entry), ReadOrigins(entry))));
        }
        return new ApiKeys([.. keys]);
    }

    private static HashSet<string> ReadRoles(IConfigurationSection entry) =>
        ReadList(entry.GetSection("Roles")).Select(v => v.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);

    private static string ReadChannel(IConfigurationSection entry)
    {
        var channel = entry["Channel"];
        if (string.IsNullOrWhiteSpace(channel)) return ApiKey.DefaultChannel;
        return ChannelPattern().IsMatch(channel.Trim())
            ? channel.Trim()
            : throw new InvalidOperationException($"{Section}:{entry.Key}:Channel must match [a-z0-9_]{{1,32}}, as a touchpoint's channel does.");
    }

    /// <summary>Origins as browsers send them: scheme, host and port only (<c>https://shop.example</c>), no path.</summary>
    private static string[] ReadOrigins(IConfigurationSection entry) =>
    [
        .. ReadList(entry.GetSection("Origins")).Select(origin =>
            Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && origin.TrimEnd('/') == uri.GetLeftPart(UriPartial.Authority)
                ? uri.GetLeftPart(UriPartial.Authority)
                : throw new InvalidOperationException(
                    $"{Section}:{entry.Key}:Origins has '{origin}', which is not a web origin: give scheme, host and port only, as 'https://shop.example'.")),
    ];

    /// <summary>A comma-separated string or an array.</summary>
    private static IEnumerable<string> ReadList(IConfigurationSection section)
    {
        var values = section.Value is { } list ? list.Split(',') : section.GetChildren().Select(c => c.Value ?? "");
        return values.Select(v => v.Trim()).Where(v => v.Length > 0);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^[a-z0-9_]{1,32}\z")]
    private static partial System.Text.RegularExpressions.Regex ChannelPattern();

    /// <summary>The key whose secret is <paramref name="secret"/>, or null. Every configured key is compared,
    /// whatever matched first.</summary>
    public ApiKey? Find(string secret)
    {
        var presented = Hash(secret);
        ApiKey? found = null;
        foreach (var (hash, key) in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(presented, hash)) found = key;
        }
        return found;
    }

    private static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));
}
