using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Profiles.Bench;

/// <summary>One figure: what was measured, its value, and its target (docs/PERFORMANCE.md) when there is one.</summary>
public sealed record ReportRow(string Phase, string Metric, double? Value, string Unit, string? Target, bool? Met, string? Note);

/// <summary>Collects the figures of a run and renders them as Markdown and JSON.</summary>
public sealed class Report
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public required MachineInfo Machine { get; init; }
    public required string CommandLine { get; init; }
    public required string Mode { get; init; }
    public required IReadOnlyList<string> Targets { get; init; }
    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    /// <summary>The machine's load averages (1, 5, 15 min) when the run started; on a shared machine they say how far
    /// the figures are the node's own.</summary>
    public string LoadAtStart { get; } = MachineInfo.LoadAverage();
    public List<ReportRow> Rows { get; } = [];
    public List<string> Problems { get; } = [];
    public Dictionary<string, object?> Details { get; } = [];

    public void Add(string phase, string metric, double? value, string unit, string? target = null, bool? met = null, string? note = null)
    {
        if (value is { } v && !double.IsFinite(v)) value = null;
        Rows.Add(new ReportRow(phase, metric, value, unit, target, value is null ? null : met, note));
    }

    /// <summary>Adds a row with a "≥ target" check.</summary>
    public void AddAtLeast(string phase, string metric, double? value, string unit, double target, string? note = null) =>
        Add(phase, metric, value, unit, $">= {Fmt(target)} {unit}", value >= target, note);

    /// <summary>Adds a row with a "≤ target" check.</summary>
    public void AddAtMost(string phase, string metric, double? value, string unit, double target, string? note = null) =>
        Add(phase, metric, value, unit, $"<= {Fmt(target)} {unit}", value <= target, note);

    public void Problem(string text)
    {
        lock (Problems) Problems.Add(text);
    }

    public string ToMarkdown()
    {
        var sb = new StringBuilder();
        sb.AppendLine("## Profiles benchmark");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"- machine: {Machine.Cores} cores, {Machine.MemTotalKiB / 1024.0 / 1024.0:F1} GiB, {Machine.CpuModel}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"- os / runtime: {Machine.Os} / {Machine.Runtime}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"- node mode: {Mode}; targets: {string.Join(", ", Targets)}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"- command: `{CommandLine}`");
        sb.AppendLine(CultureInfo.InvariantCulture, $"- started: {StartedAt:yyyy-MM-dd HH:mm:ss} UTC");
        sb.AppendLine(CultureInfo.InvariantCulture, $"- load average (1/5/15 min): {LoadAtStart} at the start, {MachineInfo.LoadAverage()} at the end, on {Machine.Cores} cores");
        sb.AppendLine();
        sb.AppendLine("| phase | metric | value | target | met | note |");
        sb.AppendLine("| --- | --- | ---: | --- | :---: | --- |");
        foreach (var r in Rows)
        {
            var value = r.Value is { } v ? $"{Fmt(v)} {r.Unit}".Trim() : "n/a";
            var met = r.Met switch { true => "yes", false => "**no**", null => "" };
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {r.Phase} | {r.Metric} | {value} | {r.Target ?? ""} | {met} | {Escape(r.Note)} |");
        }
        if (Problems.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine(CultureInfo.InvariantCulture, $"### Problems ({Problems.Count})");
            foreach (var p in Problems.Take(50)) sb.AppendLine(CultureInfo.InvariantCulture, $"- {Escape(p)}");
            if (Problems.Count > 50) sb.AppendLine(CultureInfo.InvariantCulture, $"- ... and {Problems.Count - 50} more (see the JSON file)");
        }
        return sb.ToString();
    }

    public void WriteJson(string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        var doc = new
        {
            startedAt = StartedAt,
            machine = new { nproc = Machine.Cores, memTotalKiB = Machine.MemTotalKiB, cpuModel = Machine.CpuModel, os = Machine.Os, runtime = Machine.Runtime },
            commandLine = CommandLine,
            loadAverage = new { atStart = LoadAtStart, atEnd = MachineInfo.LoadAverage() },
            mode = Mode,
            targets = Targets,
            rows = Rows,
            problems = Problems,
            details = Details,
        };
        File.WriteAllText(path, JsonSerializer.Serialize(doc, JsonOptions));
    }

    public static string Fmt(double v)
    {
        var a = Math.Abs(v);
        if (a >= 1000) return v.ToString("#,0", CultureInfo.InvariantCulture);
        if (a >= 100) return v.ToString("0.#", CultureInfo.InvariantCulture);
        if (a >= 10) return v.ToString("0.##", CultureInfo.InvariantCulture);
        return v.ToString("0.###", CultureInfo.InvariantCulture);
    }

    private static string Escape(string? s) => (s ?? "").Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");
}
