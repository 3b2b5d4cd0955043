namespace Profiles.Grains.Abstractions;

/// <summary>
/// One unified customer, as every role sees it. Callers take the narrowest role: <see cref="IProfileIngest"/> (the
/// ingestor's writes), <see cref="IProfileMerge"/> (a merge's two sides), <see cref="IProfileResolutionTarget"/> (a
/// resolution holding and rewriting it), <see cref="IProfileRead"/>, <see cref="IProfileErase"/>,
/// <see cref="IProfileRecheck"/>, <see cref="IProfileRetention"/> and <see cref="IWatchable"/>. Every call that can meet a merged-away, erased or
/// held profile answers a <see cref="ProfileReply"/>, which <see cref="Calls.ProfileCalls"/> follows and waits out.
/// </summary>
[Alias("IProfileGrain")]
public interface IProfileGrain :
    IProfileIngest, IProfileMerge, IProfileResolutionTarget, IProfileRead, IProfileErase, IProfileRecheck, IProfileRetention, IWatchable;
