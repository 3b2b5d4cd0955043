namespace Profiles.Grains.Abstractions;

/// <summary>A profile read: what a reader following merges needs of any kind of read.</summary>
public interface IProfileReadResult
{
    string ProfileId { get; }

    /// <summary>False: no touchpoint ever landed on this id.</summary>
    bool Exists { get; }
}
