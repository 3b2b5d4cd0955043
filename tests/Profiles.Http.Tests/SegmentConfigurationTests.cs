using Microsoft.Extensions.Configuration;
using Profiles.Core.Consent;
using Profiles.Silo.Configuration;
using Profiles.Silo.Operations;

namespace Profiles.Http.Tests;

/// <summary>What configures the Segment Spec door (docs/SEGMENT.md, "Configuration", "Write keys"), read as the node
/// reads it at start-up: a value that would make every event skip, or a key unusable, stops the node.</summary>
public class SegmentConfigurationTests
{
    [Fact]
    public void The_shipped_mapping_reads_segments_e_commerce_events_and_leaves_the_identifier_types_at_their_defaults()
    {
        var shipped = new ConfigurationBuilder().AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json")).Build();
        var settings = SegmentConfiguration.Read(shipped, ConsentConfiguration.Read(shipped));

        Assert.Equal("purchase", settings.EventTypes["Order Completed"]);
        Assert.Equal("add_to_cart", settings.EventTypes["product added"]);
        Assert.Equal("customer_id", settings.UserIdType);
        Assert.Null(settings.PreviousIdType);
        Assert.Empty(settings.ConsentCategories);
    }

    [Fact]
    public void Configured_types_and_consent_categories_are_read()
    {
        var settings = Read("Events:Signed Up=signup", "UserIdType=crm_id", "PreviousIdType=app_user_id", "ConsentCategories:Advertising=marketing");

        Assert.Equal("signup", settings.EventTypes["signed up"]);
        Assert.Equal("crm_id", settings.UserIdType);
        Assert.Equal("app_user_id", settings.PreviousIdType);
        Assert.Equal("marketing", settings.ConsentCategories["advertising"]);
    }

    [Theory]
    [InlineData("Events:Order Completed=Purchase!", "Profiles:Segment:Events:Order Completed must be a touchpoint type")]
    [InlineData("UserIdType=Customer ID", "Profiles:Segment:UserIdType must be an identifier type")]
    [InlineData("PreviousIdType=", null)]
    [InlineData("ConsentCategories:Advertising=Marketing", "Profiles:Segment:ConsentCategories:Advertising must be a configured consent purpose (one of analytics, marketing, personalisation")]
    [InlineData("ConsentCategories:Advertising=advertising", "Profiles:Segment:ConsentCategories:Advertising must be a configured consent purpose")]
    public void A_value_no_event_could_use_stops_the_node_naming_its_key(string setting, string? error)
    {
        if (error is null)
        {
            Assert.Null(Read(setting).PreviousIdType);
            return;
        }
        Assert.StartsWith(error, Assert.Throws<InvalidOperationException>(() => Read(setting)).Message);
    }

    [Fact]
    public void A_write_key_names_its_channel_and_origins_and_a_malformed_one_stops_the_node()
    {
        var keys = Keys(("Key", "k"), ("Roles", "collect"), ("Channel", "app"), ("Origins", "https://shop.example, http://localhost:8080/"));

        var key = keys.Find("k")!;
        Assert.Equal("app", key.Channel);
        Assert.Equal(["https://shop.example", "http://localhost:8080"], key.Origins);
        Assert.Equal("web", Keys(("Key", "k"), ("Roles", "collect")).Find("k")!.Channel);
        Assert.Contains("Channel must match", Assert.Throws<InvalidOperationException>(() => Keys(("Key", "k"), ("Channel", "App"))).Message);
        Assert.Contains("not a web origin", Assert.Throws<InvalidOperationException>(() => Keys(("Key", "k"), ("Origins", "https://shop.example/checkout"))).Message);
        Assert.Contains("not a web origin", Assert.Throws<InvalidOperationException>(() => Keys(("Key", "k"), ("Origins", "shop.example"))).Message);
    }

    private static Core.Segment.SegmentSettings Read(params string[] settings) =>
        SegmentConfiguration.Read(new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => s.Split('=', 2)).Select(kv => KeyValuePair.Create($"Profiles:Segment:{kv[0]}", (string?)kv[1])))
            .Build(), ConsentPurposes.Shipped);

    private static ApiKeys Keys(params (string Setting, string Value)[] settings) =>
        ApiKeys.From(new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => KeyValuePair.Create($"Profiles:ApiKeys:site:{s.Setting}", (string?)s.Value)))
            .Build());
}
