namespace Profiles.Core.Tests;

/// <summary>A clock the test sets by hand, so "now" in the parser is whatever the test says.</summary>
internal sealed class FakeClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now.ToUniversalTime();
}
