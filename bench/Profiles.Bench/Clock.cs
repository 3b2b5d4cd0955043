using System.Diagnostics;

namespace Profiles.Bench;

/// <summary>Clock helpers.</summary>
public static class Clock
{
    public static double Seconds(long fromTimestamp) => (Stopwatch.GetTimestamp() - fromTimestamp) / (double)Stopwatch.Frequency;
}
