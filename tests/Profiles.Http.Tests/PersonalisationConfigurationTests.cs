using Microsoft.Extensions.Configuration;
using Profiles.Core.Personalisation;
using Profiles.Silo.Configuration;

namespace Profiles.Http.Tests;

/// <summary>Reading the configuration of computed traits and audiences: what it accepts, and that every mistake names its key.</summary>
public class PersonalisationConfigurationTests
{
    private const string Traits = "Profiles:ComputedTraits";

    [Theory]
    [InlineData("Profiles:ComputedTraits:x:kind", new[] { "x:kind=average" })]
    [InlineData("Profiles:ComputedTraits:x:kind", new[] { "x:of=amount" })]
    [InlineData("Profiles:ComputedTraits:x:kind", new[] { "x:kind=Count" })]
    [InlineData("Profiles:ComputedTraits:x:of", new[] { "x:kind=sum" })]
    [InlineData("Profiles:ComputedTraits:x:of", new[] { "x:kind=top", "x:of= " })]
    [InlineData("Profiles:ComputedTraits:x:window", new[] { "x:kind=count", "x:window=0d" })]
    [InlineData("Profiles:ComputedTraits:x:window", new[] { "x:kind=count", "x:window=401d" })]
    [InlineData("Profiles:ComputedTraits:x:window", new[] { "x:kind=count", "x:window=30" })]
    [InlineData("Profiles:ComputedTraits:x:window", new[] { "x:kind=count", "x:window=-5d" })]
    [InlineData("Profiles:ComputedTraits:x:window", new[] { "x:kind=distinct", "x:of=storeId", "x:window=30d" })]
    [InlineData("Profiles:ComputedTraits:x:halfLife", new[] { "x:kind=affinity", "x:of=category", "x:halfLife=0" })]
    [InlineData("Profiles:ComputedTraits:x:halfLife", new[] { "x:kind=affinity", "x:of=category", "x:halfLife=soon" })]
    [InlineData("Profiles:ComputedTraits:x:halfLife", new[] { "x:kind=count", "x:halfLife=7" })]
    [InlineData("Profiles:ComputedTraits:x:off", new[] { "x:kind=sum", "x:off=amount" })]
    [InlineData("Profiles:ComputedTraits:x:where:colour", new[] { "x:kind=count", "x:where:colour=red" })]
    [InlineData("Profiles:ComputedTraits:Orders", new[] { "Orders:kind=count" })]
    [InlineData("Profiles:ComputedTraits:1st", new[] { "1st:kind=count" })]
    [InlineData("Profiles:ComputedTraits:online", new[] { "online:kind=count" })]
    public void A_computed_trait_mistake_names_its_key(string key, string[] settings)
    {
        var error = Assert.Throws<InvalidOperationException>(() => Read(settings.Select(s => $"{Traits}:{s}")));

        Assert.StartsWith($"{key}: ", error.Message);
    }

    [Theory]
    [InlineData("Profiles:Audiences:vip", "Profiles:Audiences:vip=orders >=")]
    [InlineData("Profiles:Audiences:vip", "Profiles:Audiences:vip=order > 1")]
    [InlineData("Profiles:Audiences:vip", "Profiles:Audiences:vip=affinity > 1")]
    [InlineData("Profiles:Audiences:vip", "Profiles:Audiences:vip=orders.ToString() == \"1\"")]
    [InlineData("Profiles:Audiences:vip", "Profiles:Audiences:vip= ")]
    [InlineData("Profiles:Audiences:VIP", "Profiles:Audiences:VIP=orders > 1")]
    public void An_audience_mistake_names_its_key(string key, string setting)
    {
        var error = Assert.Throws<InvalidOperationException>(() => Read(
            [$"{Traits}:orders:kind=count", $"{Traits}:affinity:kind=affinity", $"{Traits}:affinity:of=category", setting]));

        Assert.StartsWith($"{key}: ", error.Message);
    }

    [Fact]
    public void Every_field_is_read_with_filters_given_as_a_value_or_an_array()
    {
        var personalisation = Read(
        [
            $"{Traits}:affinity:kind=affinity", $"{Traits}:affinity:of=category", $"{Traits}:affinity:halfLife=7.5", $"{Traits}:affinity:window=90d",
            $"{Traits}:affinity:where:type:0=purchase", $"{Traits}:affinity:where:type:1=add_to_cart",
            $"{Traits}:affinity:where:channel=store", $"{Traits}:affinity:where:properties:currency=EUR",
            $"{Traits}:orders:kind=count",
            "Profiles:Audiences:buyers=orders > 0",
        ]);

        var affinity = personalisation.Computed.Definitions[0];
        Assert.Equal(("affinity", ComputedTraitKind.Affinity, "category", 90, 7.5), (affinity.Name, affinity.Kind, affinity.Of, affinity.WindowDays, affinity.HalfLifeDays));
        Assert.Equal(["add_to_cart", "purchase"], affinity.Where.Types!.Order());
        Assert.Equal(["store"], affinity.Where.Channels!);
        Assert.Equal(["EUR"], affinity.Where.Properties["currency"]);
        Assert.Equal(("orders", ComputedTraitKind.Count, null, null), (personalisation.Computed.Definitions[1].Name, personalisation.Computed.Definitions[1].Kind, personalisation.Computed.Definitions[1].Of, personalisation.Computed.Definitions[1].WindowDays));
        Assert.Equal(["buyers"], personalisation.Audiences.Definitions.Select(a => a.Name));
    }

    [Fact]
    public void The_shipped_defaults_are_read_without_error()
    {
        var configuration = new ConfigurationBuilder().AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json")).Build();

        var personalisation = PersonalisationConfiguration.Read(configuration);

        Assert.Contains(personalisation.Computed.Definitions, d => d.Name == "category_affinity");
        Assert.Contains(personalisation.Audiences.Definitions, a => a.Name == "vip");
    }

    private static Personalisation Read(IEnumerable<string> settings) =>
        PersonalisationConfiguration.Read(new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => s.Split('=', 2)).Select(kv => KeyValuePair.Create(kv[0], (string?)kv[1])))
            .Build());
}
