using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Profiles.Core.Personalisation;
using Profiles.Core.Profiles;
using Profiles.Core.Touchpoints;
using Profiles.Grains.Identity;
using Profiles.Silo.Configuration;
using Profiles.Testing;
using Xunit.Abstractions;

namespace Profiles.Http.Tests;

/// <summary>
/// What the shipped computed traits add to a profile's stored state (Orleans' binary format, as grain storage
/// writes it), for the bench's typical customer and for a customer active every day of the longest horizon.
/// docs/PERFORMANCE.md quotes the figures this prints.
/// </summary>
public class ProfileStateGrowthTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    private readonly Serializer _serializer = new ServiceCollection()
        .AddSerializer(serializer => serializer.AddAssembly(typeof(ProfileState).Assembly))
        .BuildServiceProvider()
        .GetRequiredService<Serializer>();

    private readonly Personalisation _shipped = PersonalisationConfiguration.Read(
        new ConfigurationBuilder().AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json")).Build());

    [Theory]
    [InlineData("typical: 14 touchpoints over 90 days, 3 purchases", 14, 90, 1_200)]
    [InlineData("daily: 2 touchpoints a day for 400 days, 1 purchase in 4", 800, 400, 24_000)]
    public void The_shipped_computed_traits_add_a_bounded_amount_to_a_stored_profile(string customer, int touchpoints, int days, int boundBytes)
    {
        var history = Customer(touchpoints, days);

        var without = StoredBytes(history, ComputedTraits.None);
        var with = StoredBytes(history, _shipped.Computed);

        output.WriteLine($"{customer}: {without:N0} bytes without computed traits, {with:N0} with the shipped defaults (+{with - without:N0})");
        Assert.InRange(with - without, 1, boundBytes);
    }

    private int StoredBytes(IEnumerable<Touchpoint> history, ComputedTraits traits)
    {
        var state = new ProfileState();
        foreach (var touchpoint in history) state.Content.Add(touchpoint, traits);
        traits.Trim(state.Content.Computed, DateOnly.FromDateTime(Now.UtcDateTime));
        return _serializer.SerializeToArray(state).Length;
    }

    /// <summary>A customer's touchpoints spread evenly over <paramref name="days"/>: web views and cart adds with a
    /// category, a purchase in four with an amount and a store, one cookie and one e-mail.</summary>
    private static IEnumerable<Touchpoint> Customer(int touchpoints, int days)
    {
        string[] categories = ["shoes", "shirts", "jeans", "bags", "beauty", "home", "kids", "sport"];
        return Enumerable.Range(0, touchpoints).Select(n =>
        {
            var purchase = n % 4 == 3;
            return TestTouchpoints.Make($"c-{n}", Now.AddDays(-(double)days * n / touchpoints), purchase ? "store" : "web",
                purchase ? "purchase" : n % 2 == 0 ? "page_view" : "add_to_cart", [("cookie", "ck-1"), ("email", "paul@example.com")]) with
            {
                PropertiesJson = JsonSerializer.Serialize(purchase
                    ? new { amount = 20 + n % 90, category = categories[n % 8], storeId = $"S{n % 5}" }
                    : (object)new { category = categories[n % 8] }),
            };
        });
    }
}
