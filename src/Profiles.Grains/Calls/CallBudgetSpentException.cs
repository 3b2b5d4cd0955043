namespace Profiles.Grains.Calls;

/// <summary>An operation's <see cref="CallBudget"/> ran out while the profiles it concerns kept changing under it.
/// Nothing it left undone is lost: the API answers 503, and a retry of an ingest answers duplicate for what was
/// stored.</summary>
[GenerateSerializer, Alias("CallBudgetSpentException")]
public sealed class CallBudgetSpentException(string message) : TimeoutException(message);
