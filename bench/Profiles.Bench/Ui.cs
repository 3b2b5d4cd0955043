using Spectre.Console;

namespace Profiles.Bench;

/// <summary>Progress and messages go to stderr, so stdout carries only the Markdown table.</summary>
public static class Ui
{
    public static IAnsiConsole Err { get; } = AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(Console.Error),
    });

    public static bool NoProgress { get; set; }

    public static void Info(string text) => Err.MarkupLine($"[grey]{Markup.Escape(text)}[/]");

    public static void Warn(string text) => Err.MarkupLine($"[yellow]{Markup.Escape(text)}[/]");

    /// <summary>Runs <paramref name="work"/> with one progress bar of <paramref name="total"/> units; the
    /// callback it gets advances the bar and is safe to call from any thread.</summary>
    public static async Task<T> WithProgress<T>(string label, long total, Func<Action<long>, Task<T>> work)
    {
        if (NoProgress || !Err.Profile.Capabilities.Interactive)
        {
            Info($"{label}: {total:N0} ...");
            return await work(_ => { }).ConfigureAwait(false);
        }
        T result = default!;
        await Err.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(label), maxValue: Math.Max(total, 1));
                result = await work(n => task.Increment(n)).ConfigureAwait(false);
                task.Value = task.MaxValue;
            }).ConfigureAwait(false);
        return result;
    }
}
