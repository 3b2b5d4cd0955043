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

    [Theory]
    [InlineData("Profiles:Consent:Purposes:ads:Default", "Profiles:Consent:Purposes:ads:Default=yes")]
    [InlineData("Profiles:Consent:Purposes:ads:Name", "Profiles:Consent:Purposes:ads:Default=granted", "Profiles:Consent:Purposes:ads:Name=Ads")]
    [InlineData("Profiles:Consent:Purposes:Ads", "Profiles:Consent:Purposes:Ads:Default=granted")]
    [InlineData("Profiles:Consent:Purpose", "Profiles:Consent:Purpose:ads:Default=granted")]
    [InlineData("Profiles:Audiences:sms_promo:Purpose", "Profiles:Audiences:sms_promo:Expression=orders > 0", "Profiles:Audiences:sms_promo:Purpose=ads")]
    [InlineData("Profiles:Audiences:sms_promo:Channel", "Profiles:Audiences:sms_promo:Expression=orders > 0", "Profiles:Audiences:sms_promo:Channel=sms")]
    [InlineData("Profiles:Audiences:sms_promo:Channel", "Profiles:Audiences:sms_promo:Expression=orders > 0", "Profiles:Audiences:sms_promo:Purpose=marketing", "Profiles:Audiences:sms_promo:Channel=SMS")]
    [InlineData("Profiles:Audiences:sms_promo:Channels", "Profiles:Audiences:sms_promo:Expression=orders > 0", "Profiles:Audiences:sms_promo:Channels=sms")]
    [InlineData("Profiles:Audiences:sms_promo", "Profiles:Audiences:sms_promo:Purpose=marketing")]
    [InlineData("Profiles:Audiences:sms_promo", "Profiles:Audiences:sms_promo=consent.ads && orders > 0")]
    [InlineData("Profiles:ComputedTraits:consent", "Profiles:ComputedTraits:consent:kind=count")]
    public void A_consent_mistake_names_its_key(string key, params string[] settings)
    {
        var error = Assert.Throws<InvalidOperationException>(() => Read(
            [$"{Traits}:orders:kind=count", "Profiles:Consent:Purposes:marketing:Default=denied", .. settings]));

        Assert.StartsWith($"{key}: ", error.Message);
    }

    [Fact]
    public void Purposes_and_audiences_for_a_purpose_are_read()
    {
        var personalisation = Read(
        [
            $"{Traits}:orders:kind=count",
            "Profiles:Consent:Purposes:marketing:Default=denied", "Profiles:Consent:Purposes:analytics:Default=granted",
            "Profiles:Audiences:sms_promo=orders > 0", "Profiles:Audiences:sms_promo:Purpose=marketing", "Profiles:Audiences:sms_promo:Channel=sms",
            "Profiles:Audiences:newsletter:Expression=consent.analytics", "Profiles:Audiences:newsletter:Purpose=marketing",
        ]);

        Assert.Equal(["analytics", "marketing"], personalisation.Consent.Names);
        Assert.False(personalisation.Consent.GrantedByDefault("marketing"));
        Assert.Equal(
            [new AudienceDefinition("newsletter", "consent.analytics", "marketing"), new AudienceDefinition("sms_promo", "orders > 0", "marketing", "sms")],
            personalisation.Audiences.Definitions);
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
        Assert.Equal(["analytics", "marketing", "personalisation"], personalisation.Consent.Names);
        Assert.Equal([true, false, true], personalisation.Consent.Names.Select(personalisation.Consent.GrantedByDefault));
    }

    private static Personalisation Read(IEnumerable<string> settings) =>
        PersonalisationConfiguration.Read(new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => s.Split('=', 2)).Select(kv => KeyValuePair.Create(kv[0], (string?)kv[1])))
            .Build());
}
