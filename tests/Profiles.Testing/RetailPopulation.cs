using Profiles.Contracts;

namespace Profiles.Testing;

/// <summary>A customer of the <see cref="RetailPopulation"/> and the identifiers (normalised where the type
/// normalises) it uses.</summary>
public sealed class RetailCustomer
{
    public required int Index { get; init; }
    public required string Email { get; init; }           // normalised: lower-case, no spaces
    public required string PhoneNational { get; init; }   // 10 digits, 06/07...
    public required string FirstName { get; init; }
    public required string City { get; init; }
    public required string[] Cookies { get; init; }
    public string? LoyaltyId { get; init; }
    public string? CrmId { get; init; }
    public string? DeviceId { get; init; }
    public string? AppUserId { get; init; }
    public bool UsesPhone { get; init; }
    public List<TouchpointSpec> Touchpoints { get; } = [];
}

/// <summary>
/// The benchmark's omnichannel retail traffic, deterministic: every customer is generated from (seed, global
/// index) alone, so a population of N customers starting at offset O is the same whatever else is generated.
/// Customers never share an identifier; within a customer, the e-mail is the hub that the logins, the CRM
/// import (hashed e-mail), the receipts and the app login link everything to. Touchpoint ids are
/// <c>bench-{seed}-c{customer}-{n}</c>.
/// </summary>
public sealed class RetailPopulation
{
    private static readonly string[] FirstNames =
        ["Paul", "Marie", "Lucas", "Emma", "Hugo", "Léa", "Louis", "Chloé", "Gabriel", "Manon", "Jules", "Camille",
         "Arthur", "Inès", "Nathan", "Sarah", "Tom", "Jade", "Théo", "Zoé"];
    private static readonly string[] LastNames =
        ["martin", "bernard", "dubois", "thomas", "robert", "richard", "petit", "durand", "leroy", "moreau", "simon",
         "laurent", "lefebvre", "michel", "garcia", "david", "bertrand", "roux", "vincent", "fournier"];
    private static readonly string[] Domains = ["gmail.com", "orange.fr", "free.fr", "laposte.net", "yahoo.fr", "hotmail.fr", "sfr.fr", "example.com"];
    private static readonly string[] Cities = ["Paris", "Lyon", "Marseille", "Toulouse", "Nice", "Nantes", "Lille", "Bordeaux", "Rennes", "Strasbourg"];
    private static readonly string[] Categories = ["shoes", "shirts", "jeans", "bags", "beauty", "home", "kids", "sport"];
    // French mobile ranges libphonenumber knows as valid: 06 [0-24-8]x and 07 [3-9]x.
    private static readonly string[] MobilePrefixes = ["60", "61", "62", "64", "65", "66", "67", "68", "73", "74", "75", "76", "77", "78", "79"];

    public IReadOnlyList<RetailCustomer> Customers { get; }
    public IReadOnlyList<TouchpointSpec> Touchpoints { get; }

    private RetailPopulation(List<RetailCustomer> customers)
    {
        Customers = customers;
        Touchpoints = customers.SelectMany(c => c.Touchpoints).ToArray();
    }

    /// <summary>Customers with global indices [offset, offset+count).</summary>
    public static RetailPopulation Generate(int seed, int offset, int count, DateTimeOffset anchor)
    {
        var list = new List<RetailCustomer>(count);
        for (var g = offset; g < offset + count; g++) list.Add(MakeCustomer(seed, g, anchor));
        return new RetailPopulation(list);
    }

    /// <summary>The anchor of all times: today's midnight UTC, so a run is reproducible within a day and
    /// every occurredAt lies in the past 90 days.</summary>
    public static DateTimeOffset DefaultAnchor => new(DateTime.UtcNow.Date, TimeSpan.Zero);

    private static RetailCustomer MakeCustomer(int seed, int g, DateTimeOffset anchor)
    {
        var r = new Random(HashCode32(seed, g));
        var first = FirstNames[r.Next(FirstNames.Length)];
        var last = LastNames[r.Next(LastNames.Length)];
        var email = $"{Ascii(first).ToLowerInvariant()}.{last}{seed}{g:D6}@{Domains[r.Next(Domains.Length)]}";
        var prefix = MobilePrefixes[r.Next(MobilePrefixes.Length)];
        var tail = (int)(((long)g * 7919 + (long)seed * 1_000_003) % 10_000_000);
        var phone = $"0{prefix}{tail:D7}";
        var nCookies = 1 + r.Next(3);
        var cookies = new string[nCookies];
        for (var j = 0; j < nCookies; j++) cookies[j] = $"{r.Next():x8}-{seed:x}-{g:x}-{j}";
        var hasStore = r.NextDouble() < 0.6;
        var hasCrm = r.NextDouble() < 0.5;
        var hasApp = r.NextDouble() < 0.4;
        var hasCall = hasCrm && r.NextDouble() < 0.5;
        var c = new RetailCustomer
        {
            Index = g,
            Email = email,
            PhoneNational = phone,
            FirstName = first,
            City = Cities[r.Next(Cities.Length)],
            Cookies = cookies,
            LoyaltyId = hasStore ? $"FR-{seed}-{g:D7}" : null,
            CrmId = hasCrm ? $"CRM-{seed}-{g}" : null,
            DeviceId = hasApp ? $"dev-{r.Next():x8}-{g:x}" : null,
            AppUserId = hasApp ? $"au-{seed}-{g}" : null,
            UsesPhone = hasStore || hasCall,
        };

        var k = 0;
        var start = anchor - TimeSpan.FromDays(90) + TimeSpan.FromHours(r.NextDouble() * 24 * 60);
        DateTimeOffset When(TimeSpan offset)
        {
            // Spread over the customer's 30-day window inside the last 90 days, shown in a French offset.
            var t = start + TimeSpan.FromMinutes(r.NextDouble() * 30 * 24 * 60);
            t = new DateTimeOffset(t.Ticks - t.Ticks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);
            return t.ToOffset(offset);
        }
        var paris = TimeSpan.FromHours(1);
        var summer = TimeSpan.FromHours(2);
        void Add(string channel, string type, IdentifierInput[] ids, bool traits = false, bool city = false, JsonField[]? purchase = null, TimeSpan? off = null)
        {
            List<JsonField>? fields = null;
            if (traits) (fields ??= []).Add(JsonField.Text("firstName", c.FirstName));
            if (city) (fields ??= []).Add(JsonField.Text("city", c.City));
            c.Touchpoints.Add(new TouchpointSpec
            {
                Id = $"bench-{seed}-c{g}-{k++}", OccurredAt = When(off ?? paris), Channel = channel, Type = type, Identifiers = ids,
                Traits = (IReadOnlyList<JsonField>?)fields ?? [], Properties = purchase ?? [],
            });
        }
        JsonField[] Buy() =>
        [
            JsonField.Number("amount", Math.Round(r.Next(500, 25_000) / 100.0, 2)), JsonField.Text("currency", "EUR"),
            JsonField.Text("category", Categories[r.Next(Categories.Length)]), JsonField.Text("storeId", $"{c.City.ToUpperInvariant()}-{1 + r.Next(5)}"),
        ];

        // Links that make the customer one connected profile.
        foreach (var cookie in cookies)
            Add("web", "login", [new("cookie", cookie), new("email", MessySpelling.Email(r, email))], traits: r.NextDouble() < 0.5);
        if (hasStore)
            Add("store", "purchase", [new("loyalty_id", c.LoyaltyId!), new("phone", MessySpelling.Phone(r, phone)), new("email", MessySpelling.Email(r, email))],
                city: true, purchase: Buy());
        if (hasCrm)
            Add("crm", "crm_import", [new("crm_id", c.CrmId!), TestIdentifiers.Hashed("email", email)], traits: true, city: true, off: TimeSpan.Zero);
        if (hasApp)
        {
            Add("app", "app_install", [new("device_id", c.DeviceId!)], off: summer);
            Add("app", "login", [new("device_id", c.DeviceId!), new("app_user_id", c.AppUserId!), new("email", MessySpelling.Email(r, email))], off: summer);
        }
        if (hasCall)
            Add("call_center", "call", [new("phone", MessySpelling.Phone(r, phone)), new("crm_id", c.CrmId!)], traits: r.NextDouble() < 0.3);

        // Everyday traffic up to 8..20 touchpoints.
        var total = Math.Max(8 + r.Next(13), k);
        while (k < total)
        {
            var x = r.NextDouble();
            if (x < 0.40) Add("web", "page_view", [new("cookie", cookies[r.Next(nCookies)])]);
            else if (x < 0.55) Add("web", "add_to_cart", [new("cookie", cookies[r.Next(nCookies)])]);
            else if (x < 0.70 && hasStore) Add("store", "purchase", [new("loyalty_id", c.LoyaltyId!), new("phone", MessySpelling.Phone(r, phone))], city: r.NextDouble() < 0.3, purchase: Buy());
            else if (x < 0.85) Add("email", "email_open", [new("email", MessySpelling.Email(r, email))]);
            else if (x < 0.95 && hasApp) Add("app", "app_open", [new("device_id", c.DeviceId!)], off: summer);
            else if (hasCall) Add("call_center", "call", [new("phone", MessySpelling.Phone(r, phone)), new("crm_id", c.CrmId!)]);
            else Add("web", "page_view", [new("cookie", cookies[r.Next(nCookies)])]);
        }
        return c;
    }

    private static string Ascii(string s) => s.Replace('é', 'e').Replace('è', 'e').Replace('ï', 'i');

    private static int HashCode32(int a, int b)
    {
        unchecked
        {
            var h = (uint)a * 0x9E3779B1u ^ (uint)b * 0x85EBCA77u;
            h ^= h >> 15; h *= 0x2C1B3C61u; h ^= h >> 13;
            return (int)(h & 0x7FFFFFFF);
        }
    }
}
