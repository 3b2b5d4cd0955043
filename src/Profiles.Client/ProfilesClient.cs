using System.Runtime.CompilerServices;
using System.Text.Json;
using Orleans.Concurrency;
using Profiles.Contracts;
using Profiles.Contracts.Http;

namespace Profiles.Client;

internal sealed class ProfilesClient(IClusterClient cluster, LiveWatches watches) : IProfilesClient
{
    // A stateless worker: each gateway node answers with a local activation.
    private IProfilesGateway Gateway => cluster.GetGrain<IProfilesGateway>(0);

    public async Task<IReadOnlyList<TouchpointResult>> IngestAsync(IReadOnlyList<TouchpointInput> touchpoints, CancellationToken cancellationToken = default)
    {
        if (touchpoints.Count == 0) return [];
        // Touchpoints travel as the HTTP API's JSON, so the node validates them with the one parser the HTTP API uses:
        // traits and properties are free-form JSON values in any case, stored as JSON.
        var body = JsonSerializer.SerializeToUtf8Bytes(touchpoints, ApiJson.Options);
        return await Gateway.Ingest(body.AsImmutable()).WaitAsync(cancellationToken);
    }

    public Task<Profile?> LookupAsync(string type, string value, CancellationToken cancellationToken = default) =>
        Gateway.Lookup(new IdentifierInput(type, value)).WaitAsync(cancellationToken);

    public Task<Profile?> GetAsync(string profileId, CancellationToken cancellationToken = default) =>
        Gateway.Get(profileId).WaitAsync(cancellationToken);

    public async IAsyncEnumerable<Profile?> WatchAsync(string type, string value, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var identifierKey = await Gateway.KeyOf(new IdentifierInput(type, value)).WaitAsync(cancellationToken);
        await using var watch = new StreamWatch(cluster, Gateway, identifierKey, watches);
        var shown = (ProfileId: "", Version: -1L);
        while (true)
        {
            var profile = (await watch.RefreshAsync(cancellationToken))?.Profile;
            var now = (profile?.ProfileId ?? "", profile?.Version ?? 0);
            if (now != shown)
            {
                shown = now;
                yield return profile;
            }
            await watch.WaitForChangeAsync(cancellationToken);
        }
    }
}
