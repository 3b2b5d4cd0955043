namespace Profiles.Grains.Abstractions;

/// <summary>
/// Told that something it watches changed: a profile (new touchpoints, a merge in or out, an erasure) or an
/// identifier (it became known, moved, or was erased). It carries no data: the watcher reads the latest state,
/// so a burst of changes reaches a slow client as one current state, never as a backlog.
/// </summary>
[Alias("IProfileObserver")]
public interface IProfileObserver : IGrainObserver
{
    [Alias("Changed"), OneWay]
    Task Changed();
}
