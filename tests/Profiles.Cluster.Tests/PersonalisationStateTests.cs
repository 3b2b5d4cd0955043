using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Profiles.Core.Consent;
using Profiles.Core.Personalisation;
using Profiles.Core.Profiles;
using Profiles.Grains.Identity;
using Profiles.Testing;

namespace Profiles.Cluster.Tests;

/// <summary>The computed traits' and consent's fold state and evaluated values cross grain boundaries and reach grain
/// storage in Orleans' binary format: the state through its surrogate in Profiles.Grains, the values through the codecs
/// generated for Core's records.</summary>
public class PersonalisationStateTests
{
    private static readonly DateOnly Today = new(2026, 11, 29);

    private static readonly ComputedTraits Traits = new(
    [
        new("orders", ComputedTraitKind.Count, null, Where(["purchase"]), 30, 30),
        new("revenue", ComputedTraitKind.Sum, "amount", Where(["purchase"]), null, 30),
        new("smallest", ComputedTraitKind.Min, "amount", TouchpointFilter.All, 60, 30),
        new("largest", ComputedTraitKind.Max, "amount", TouchpointFilter.All, null, 30),
        new("last_category", ComputedTraitKind.Last, "category", TouchpointFilter.All, null, 30),
        new("favourite_category", ComputedTraitKind.Top, "category", TouchpointFilter.All, null, 30),
        new("stores", ComputedTraitKind.Distinct, "storeId", TouchpointFilter.All, null, 30),
        new("affinity", ComputedTraitKind.Affinity, "category", TouchpointFilter.All, null, 7),
    ]);

    private readonly Serializer _serializer = new ServiceCollection()
        .AddSerializer(serializer => serializer.AddAssembly(typeof(ProfileState).Assembly))
        .BuildServiceProvider()
        .GetRequiredService<Serializer>();

    [Fact]
    public void A_stored_profile_state_reads_back_with_the_same_computed_values()
    {
        var state = new ProfileState { Content = Folded() };

        var read = _serializer.Deserialize<ProfileState>(_serializer.SerializeToArray(state))!;

        Assert.Equal(Values(state.Content), Values(read.Content));
        // What was read back goes on folding and merging like the original.
        read.Content.Merge(Folded("more"));
        state.Content.Merge(Folded("more"));
        Assert.Equal(Values(state.Content), Values(read.Content));
    }

    [Fact]
    public void A_stored_consent_ledger_reads_back_whole_and_goes_on_folding()
    {
        var state = new ProfileState { Content = Folded() };

        var read = _serializer.Deserialize<ProfileState>(_serializer.SerializeToArray(state))!;

        Assert.NotEmpty(read.Content.Consent!.History);
        Assert.Equal(CanonicalContent.Of(state.Content), CanonicalContent.Of(read.Content));
        read.Content.Merge(Folded("more"));
        state.Content.Merge(Folded("more"));
        Assert.Equal(CanonicalContent.Of(state.Content), CanonicalContent.Of(read.Content));
    }

    [Fact]
    public void Evaluated_values_cross_a_grain_boundary_unchanged()
    {
        var values = new Personalisation(Traits, Audiences.None, ConsentPurposes.Shipped)
            .Evaluate(Folded(), new DateTimeOffset(Today.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));

        var read = _serializer.Deserialize<PersonalisedValues>(_serializer.SerializeToArray(values))!;

        Assert.Equal(values.Names, read.Names);
        Assert.Equal(values.Computed.Select(v => v.ToString()), read.Computed.Select(v => v.ToString()));
        Assert.Equal(values.Audiences, read.Audiences);
        Assert.Equal(Described(values.Consent), Described(read.Consent));
        Assert.Contains(read.Consent, c => c is { Purpose: "marketing", Decided: true } && c.Channels.Length == 1);
    }

    private static ProfileContent Folded(string prefix = "t")
    {
        var content = new ProfileContent();
        for (var n = 0; n < 40; n++)
        {
            var at = new DateTimeOffset(Today.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddDays(-n * 3);
            var touchpoint = TestTouchpoints.Make($"{prefix}-{n}", at, "store", n % 2 == 0 ? "purchase" : "page_view", [("cookie", "c-1")]) with
            {
                PropertiesJson = JsonSerializer.Serialize(new { amount = 9.99 * n, category = $"cat-{n % 7}", storeId = $"S{n % 4}" }),
                Consent = n % 5 == 0
                    ? [new ConsentDecision("marketing", n % 10 == 0 ? "sms" : null, n % 3 == 0, $"form-v{n % 3}", n % 4 == 0 ? at.AddDays(30) : null)]
                    : [],
            };
            content.Add(touchpoint, Traits);
        }
        return content;
    }

    private static string[] Described(IEnumerable<PurposeConsent> consent) =>
        [.. consent.Select(c => $"{c.Purpose} {c.Granted} {c.Decided} {string.Join(',', c.Channels.Select(ch => $"{ch.Key}={ch.Value}"))}")];

    private static string[] Values(ProfileContent content) => [.. Traits.Evaluate(content.Computed, Today).Select(v => v.ToString())];

    private static TouchpointFilter Where(string[] types) => new(null, types.ToHashSet(), new Dictionary<string, IReadOnlySet<string>>());
}
