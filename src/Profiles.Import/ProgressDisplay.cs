using Spectre.Console;
using Spectre.Console.Rendering;

namespace Profiles.Import;

/// <summary>
/// Progress bars with items per second and time left, on standard error so that standard output carries only the
/// summary line. Drawn only on a terminal; redirected to a file or a pipe, nothing is drawn.
/// </summary>
public sealed class ProgressDisplay(TextWriter errors)
{
    private readonly IAnsiConsole _console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(errors) });

    /// <param name="work">Gets a function that starts a bar of a given label and total and returns what advances it
    /// (safe to call from any thread).</param>
    public async Task<T> RunAsync<T>(Func<Func<string, long, Action<long>>, Task<T>> work)
    {
        if (!_console.Profile.Capabilities.Interactive)
            return await work((_, _) => _ => { });
        T result = default!;
        await _console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new PerSecondColumn(),
                new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                result = await work((label, total) =>
                {
                    var task = context.AddTask(Markup.Escape(label), maxValue: Math.Max(total, 1));
                    return done => task.Increment(done);
                });
            });
        return result;
    }

    private sealed class PerSecondColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(task.Speed is { } speed ? $"{speed,8:N0}/s" : "", Style.Plain);
    }
}
