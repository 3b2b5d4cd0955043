namespace Profiles.Import;

/// <summary>An identifier read from a column of the file.</summary>
public sealed record IdentifierColumn(string Type, int Index, string Name, bool Hashed);

/// <summary>A trait read from a column of the file.</summary>
public sealed record TraitColumn(string Trait, int Index, string Name);

/// <summary>The command line's columns found in the file's header: what each row becomes.</summary>
public sealed class RowMapping
{
    private RowMapping(ImportOptions options, int width, IReadOnlyList<IdentifierColumn> identifiers, IReadOnlyList<TraitColumn> traits, int? occurredAt)
    {
        Channel = options.Channel;
        Type = options.Type;
        Width = width;
        Identifiers = identifiers;
        Traits = traits;
        OccurredAt = occurredAt;
        OccurredAtName = options.OccurredAtColumn;
    }

    public string Channel { get; }

    public string Type { get; }

    /// <summary>Fields in the header; a row with another count has a separator or a quote out of place.</summary>
    public int Width { get; }

    public IReadOnlyList<IdentifierColumn> Identifiers { get; }

    public IReadOnlyList<TraitColumn> Traits { get; }

    public int? OccurredAt { get; }

    public string? OccurredAtName { get; }

    /// <exception cref="UsageException">A column named on the command line is not in the header (every such
    /// column is named, with the header's columns).</exception>
    public static RowMapping Resolve(ImportOptions options, IReadOnlyList<string> header, string fileName)
    {
        var problems = new List<string>();
        int Find(string option, string column)
        {
            var exact = Indexes(header, h => h == column);
            var loose = exact.Count > 0 ? exact : Indexes(header, h => string.Equals(h.Trim(), column.Trim(), StringComparison.OrdinalIgnoreCase));
            if (loose.Count == 1) return loose[0];
            problems.Add(loose.Count == 0
                ? $"{option}: no column \"{column}\" in the header of {fileName}"
                : $"{option}: the header of {fileName} has {loose.Count} columns named \"{column}\"");
            return -1;
        }

        var identifiers = options.Identifiers
            .Select(m => new IdentifierColumn(m.Type, Find($"--map {m.Type}={m.Column}", m.Column), m.Column, m.Hashed))
            .ToList();
        var traits = options.Traits
            .Select(t => new TraitColumn(t.Name, Find($"--trait {t.Name}={t.Column}", t.Column), t.Column))
            .ToList();
        int? occurredAt = options.OccurredAtColumn is { } at ? Find($"--occurred-at {at}", at) : null;

        if (problems.Count > 0)
        {
            problems.Add($"the columns of {fileName} are: {string.Join(", ", header.Select(h => $"\"{h}\""))}");
            throw new UsageException(string.Join(Environment.NewLine, problems));
        }
        return new RowMapping(options, header.Count, identifiers, traits, occurredAt);
    }

    private static List<int> Indexes(IReadOnlyList<string> header, Func<string, bool> match) =>
        [.. Enumerable.Range(0, header.Count).Where(i => match(header[i]))];
}
