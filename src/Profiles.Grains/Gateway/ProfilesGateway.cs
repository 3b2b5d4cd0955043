using System.Text.Json;
using Profiles.Contracts;
using Profiles.Contracts.Live;
using Profiles.Core.Identifiers;
using Profiles.Core.Profiles;
using Profiles.Grains.Live;
using Profiles.Grains.Resolution;

namespace Profiles.Grains.Gateway;

/// <summary>
/// The .NET client's way in (<see cref="IProfilesGateway"/>): the same intake, reader and profile view as the HTTP
/// endpoints. Lookups and watches are the storefront's reads: they leave computed traits and audiences out while the
/// customer does not allow personalisation. A stateless worker, so each node answers the calls its gateway receives itself, from its own identifier
/// cache; reentrant, since it holds no state: a call waiting on a profile grain must not hold up the calls behind it.
/// </summary>
[StatelessWorker, Reentrant]
public sealed class ProfilesGateway(TouchpointIntake intake, IdentifierReader identifiers, ProfileReader profiles) : Grain, IProfilesGateway
{
    public async Task<TouchpointResult[]> Ingest(Immutable<byte[]> touchpoints)
    {
        using var body = JsonDocument.Parse(touchpoints.Value);
        if (TouchpointIntake.ReadBatch(body.RootElement, out var items) is { } problem) throw new ArgumentException(problem);
        return await intake.IngestAsync(items);
    }

    public async Task<Profile?> Lookup(IdentifierInput identifier) =>
        await profiles.FindByIdentifierAsync(KeyOf(identifier.Type, identifier.Value, identifier.Sha256)) is { } profile ? ProfileView.ForStorefront(profile) : null;

    public async Task<Profile?> Get(string profileId) =>
        ProfileId.IsValid(profileId) && await profiles.FindByIdAsync(profileId) is { } profile ? ProfileView.From(profile) : null;

    public Task<string> KeyOf(IdentifierInput identifier) => Task.FromResult(KeyOf(identifier.Type, identifier.Value, identifier.Sha256));

    public async Task<FollowedIdentifier> Follow(string identifierKey)
    {
        var followed = await profiles.FollowIdentifierAsync(identifierKey);
        return new FollowedIdentifier(followed?.ProfileId, followed.Holds(identifierKey) ? ProfileView.ForStorefront(followed!) : null);
    }

    public Task Watch(LiveTarget target, Guid subscriptionId) => GrainFactory.Watchable(target).WatchStream(subscriptionId);

    public Task Unwatch(LiveTarget target, Guid subscriptionId) => GrainFactory.Watchable(target).UnwatchStream(subscriptionId);

    private string KeyOf(string? type, string? value, string? sha256) =>
        identifiers.ReadNamed(type, value, sha256, out var identifier) is { } problem ? throw new ArgumentException(problem) : identifier.Key;
}
