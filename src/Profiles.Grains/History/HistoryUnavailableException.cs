namespace Profiles.Grains.History;

/// <summary>The history tier (PostgreSQL) could not be reached. Only what needs cold items fails with it: a journey
/// page reaching past the hot window, a re-send dated that old, a move; recent pages and writes go on, and a node
/// answers 503 naming the history tier, so a client knows that retrying later, or reading a more recent page, helps.</summary>
[GenerateSerializer, Alias("HistoryUnavailableException")]
public sealed class HistoryUnavailableException(string message) : Exception(message);
