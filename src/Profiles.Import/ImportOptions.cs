using System.Globalization;
using System.Text.RegularExpressions;

namespace Profiles.Import;

/// <summary>A column mapped to an identifier type; <see cref="Hashed"/> when the column holds the hex SHA-256 of
/// the normalised value (<c>--sha256 TYPE</c>) rather than the value itself.</summary>
public sealed record IdentifierMap(string Type, string Column, bool Hashed);

/// <summary>A column mapped to a profile trait.</summary>
public sealed record TraitMap(string Name, string Column);

/// <summary>The command line of the import, checked against the rules of docs/API.md, "Touchpoints in" before any row is read.</summary>
public sealed partial record ImportOptions(
    string File,
    Uri Target,
    string? Key,
    IReadOnlyList<IdentifierMap> Identifiers,
    IReadOnlyList<TraitMap> Traits,
    string Channel,
    string Type,
    string? OccurredAtColumn,
    int Parallel)
{
    public const string DefaultChannel = "crm";
    public const string DefaultType = "crm_import";
    public const int DefaultParallel = 8;
    public const int MaxIdentifiers = 20;
    public const int MaxTraitNameLength = 64;

    /// <summary>Read when --key is not given, so the secret need not stand in the shell history or in ps.</summary>
    public const string KeyVariable = "PROFILES_API_KEY";

    public static string Usage => $"""
        Imports a CRM onboarding file (CSV with a header) into Profiles: one touchpoint per row.

          dotnet run -c Release --project src/Profiles.Import -- FILE.csv --target URL --map TYPE=COLUMN ... [options]

          --target URL          the node, e.g. http://127.0.0.1:5080 (required)
          --key SECRET          API key with the ingest and read roles, sent as Authorization: Bearer
                                (default: the {KeyVariable} environment variable)
          --map TYPE=COLUMN     an identifier of type TYPE in COLUMN, repeatable (at least one; at most {MaxIdentifiers})
          --sha256 TYPE         TYPE's column holds the hex SHA-256 of the normalised value, repeatable
          --trait NAME=COLUMN   a profile trait from COLUMN, repeatable
          --channel CHANNEL     the touchpoints' channel (default {DefaultChannel})
          --type TYPE           the touchpoints' type (default {DefaultType})
          --occurred-at COLUMN  when each row happened, ISO-8601 with offset (default: the time the node receives it)
          --parallel N          requests in flight at once, 1-64 (default {DefaultParallel})

        Prints one line, "N rows: A accepted, D duplicate, R rejected; M matched an online profile (X%)", and writes
        the rejected rows with their reasons to FILE.rejected.csv. Running the same file again changes nothing.
        Exit code: 0 imported, 1 the import could not finish (re-run it), 2 bad arguments.
        """;

    /// <exception cref="UsageException">The arguments are wrong; the message says how.</exception>
    public static ImportOptions Parse(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        string? file = null, target = null, key = null, occurredAt = null;
        string channel = DefaultChannel, type = DefaultType;
        var parallel = DefaultParallel;
        var maps = new List<(string Type, string Column)>();
        var hashed = new List<string>();
        var traits = new List<TraitMap>();

        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "-h" or "--help") throw new UsageException(null);
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                if (file is not null) throw new UsageException($"one file at a time: '{file}' and '{arg}' were given");
                file = arg;
                continue;
            }
            var (name, inline) = arg.IndexOf('=') is var eq and > 0 ? (arg[..eq], arg[(eq + 1)..]) : (arg, null);
            string Value() => inline ?? (i + 1 < args.Count ? args[++i] : throw new UsageException($"{name} needs a value"));
            switch (name)
            {
                case "--target": target = Value(); break;
                case "--key": key = Value(); break;
                case "--map": maps.Add(Pair(name, Value(), "TYPE=COLUMN")); break;
                case "--sha256": hashed.Add(Value()); break;
                case "--trait":
                    var (trait, column) = Pair(name, Value(), "NAME=COLUMN");
                    traits.Add(new TraitMap(trait, column));
                    break;
                case "--channel": channel = Value(); break;
                case "--type": type = Value(); break;
                case "--occurred-at": occurredAt = Value(); break;
                case "--parallel":
                    parallel = int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is >= 1 and <= 64
                        ? p : throw new UsageException("--parallel must be a whole number from 1 to 64");
                    break;
                default: throw new UsageException($"unknown option {name}");
            }
        }

        if (file is null) throw new UsageException("which file? Give the CSV file to import as the first argument");
        if (target is null) throw new UsageException("--target is required: the node to import into, e.g. --target http://127.0.0.1:5080");
        if (!Uri.TryCreate(target.TrimEnd('/') + "/", UriKind.Absolute, out var targetUri) || targetUri.Scheme is not ("http" or "https"))
            throw new UsageException($"--target {target}: must be an http:// or https:// address");
        if (maps.Count == 0) throw new UsageException("at least one --map TYPE=COLUMN is required: a touchpoint needs an identifier");
        if (maps.Count > MaxIdentifiers) throw new UsageException($"at most {MaxIdentifiers} --map: a touchpoint holds at most {MaxIdentifiers} identifiers");
        foreach (var (mapType, column) in maps)
        {
            if (!NamePattern().IsMatch(mapType))
                throw new UsageException($"--map {mapType}={column}: an identifier type must match [a-z0-9_]{{1,32}} (email, phone, crm_id, ...)");
        }
        foreach (var h in hashed)
        {
            if (!maps.Any(m => m.Type == h))
                throw new UsageException($"--sha256 {h}: no --map {h}=COLUMN says which column holds it");
        }
        foreach (var t in traits)
        {
            if (t.Name.Length is 0 or > MaxTraitNameLength)
                throw new UsageException($"--trait {t.Name}={t.Column}: a trait name has 1 to {MaxTraitNameLength} characters");
        }
        if (traits.GroupBy(t => t.Name).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new UsageException($"--trait {twice.Key} is given twice");
        if (!NamePattern().IsMatch(channel)) throw new UsageException($"--channel {channel}: must match [a-z0-9_]{{1,32}}");
        if (!TypePattern().IsMatch(type)) throw new UsageException($"--type {type}: must match [a-z0-9_.]{{1,64}}");

        key ??= environment(KeyVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : null;
        return new ImportOptions(
            file,
            targetUri,
            key,
            [.. maps.Select(m => new IdentifierMap(m.Type, m.Column, hashed.Contains(m.Type)))],
            traits,
            channel,
            type,
            occurredAt,
            parallel);
    }

    private static (string Left, string Right) Pair(string option, string value, string shape)
    {
        var eq = value.IndexOf('=');
        return eq > 0 && eq < value.Length - 1
            ? (value[..eq], value[(eq + 1)..])
            : throw new UsageException($"{option} {value}: expected {shape}");
    }

    // Identifier types and channels share one shape, [a-z0-9_]{1,32} (docs/API.md, "Touchpoints in").
    [GeneratedRegex("^[a-z0-9_]{1,32}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[a-z0-9_.]{1,64}$")]
    private static partial Regex TypePattern();
}

/// <summary>Wrong arguments: the message says what is wrong (empty for --help).</summary>
public sealed class UsageException(string? message) : Exception(message ?? "");
