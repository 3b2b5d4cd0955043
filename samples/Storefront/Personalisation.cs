using System.Text.Json;
using Profiles.Contracts;

namespace Storefront;

/// <summary>What the page shows a visitor: the greeting and the hero banner.</summary>
public sealed record PageView(string Greeting, string Banner, string BannerTitle, long Touchpoints)
{
    public static PageView For(Profile? profile)
    {
        var banner = HeroBanner.For(profile);
        return new PageView(GreetingFor(profile), banner.Name, banner.Title, profile?.Touchpoints ?? 0);
    }

    private static string GreetingFor(Profile? profile) =>
        profile?.Traits.GetValueOrDefault("firstName") is { ValueKind: JsonValueKind.String } name ? $"Welcome back, {name.GetString()}" : "Welcome";
}

/// <summary>
/// The hero banner, from the audiences and the favourite category the cluster computes, and until
/// a profile carries them, from what it already shows: its channels and traits.
/// </summary>
public sealed record HeroBanner(string Name, string Title)
{
    private static readonly HeroBanner Vip = new("vip", "Private sale: first pick for our best customers");
    private static readonly HeroBanner InStore = new("in-store", "Order online, collect in your shop today");
    private static readonly HeroBanner NewSeason = new("new-season", "The new season is in");

    private static readonly Dictionary<string, HeroBanner> Categories = new(StringComparer.OrdinalIgnoreCase)
    {
        ["shoes"] = new("shoes", "New trail shoes, made to go further"),
        ["outdoor"] = new("outdoor", "Everything for the weekend outdoors"),
        ["kids"] = new("kids", "Back to school, sorted"),
    };

    /// <summary>A best customer first; then a customer seen both online and in a shop; then their favourite category.</summary>
    public static HeroBanner For(Profile? profile)
    {
        if (profile is null) return NewSeason;
        if (profile.Audiences.Contains("vip")) return Vip;
        if (profile.Audiences.Contains("omnichannel") || SeenOnlineAndInStore(profile)) return InStore;
        return FavouriteCategory(profile) is { } category && Categories.TryGetValue(category, out var banner) ? banner : NewSeason;
    }

    private static bool SeenOnlineAndInStore(Profile profile) =>
        profile.Channels.ContainsKey("store") && profile.Channels.Keys.Any(channel => channel is "web" or "app");

    private static string? FavouriteCategory(Profile profile) =>
        Text(profile.Computed.GetValueOrDefault("favourite_category")) ?? Text(profile.Traits.GetValueOrDefault("favouriteCategory"));

    private static string? Text(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
