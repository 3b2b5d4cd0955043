using System.Security.Cryptography;
using System.Text;
using Profiles.Import;

namespace Profiles.Import.Tests;

/// <summary>The CRM onboarding import end to end: a CRM file imported into a real node where some customers already browsed the
/// web site, then imported again.</summary>
[Collection(NodeCollection.Name)]
public sealed class ImportTests(NodeFixture fixture) : IDisposable
{
    private readonly string _run = Guid.NewGuid().ToString("n")[..8];
    private readonly TempFolder _folder = new();

    private string Email(string name) => $"{name}.{_run}@example.com";

    private static string Sha256(string normalised) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalised)));

    private string[] Arguments(string file) =>
    [
        file, "--target", fixture.Node.BaseUrl, "--key", NodeFixture.Key,
        "--map", "crm_id=CustomerNo", "--map", "email=EmailSha256", "--sha256", "email",
        "--trait", "firstName=FirstName", "--trait", "city=City", "--occurred-at", "SignupDate",
    ];

    /// <summary>Anne and Bruno browsed the web site and logged in; Chloé only ever bought in a shop.</summary>
    private async Task SeedEarlierTouchpointsAsync()
    {
        await fixture.Api.IngestAsync(new object[]
        {
            new { id = $"web-{_run}-1", channel = "web", type = "login",
                identifiers = new[] { new { type = "cookie", value = $"ck-{_run}-a" }, new { type = "email", value = " " + Email("Anne").ToUpperInvariant() } } },
            new { id = $"web-{_run}-2", channel = "web", type = "login",
                identifiers = new[] { new { type = "cookie", value = $"ck-{_run}-b" }, new { type = "email", value = Email("bruno") } } },
            new { id = $"pos-{_run}-3", channel = "store", type = "purchase",
                identifiers = new[] { new { type = "email", value = Email("chloe") } } },
        });
    }

    /// <summary>Eight rows: four new customers, one row twice, and three rows that cannot land.</summary>
    private string WriteCrmFile() => _folder.Write("crm.csv",
        "CustomerNo;EmailSha256;FirstName;City;SignupDate\r\n" +
        $"C{_run}-1;{Sha256(Email("anne"))};Anne;\"Lyon; 2e\";\r\n" +
        $"C{_run}-2;{Sha256(Email("bruno")).ToUpperInvariant()};Bruno;Paris;2026-01-15T10:00:00+01:00\r\n" +
        $"C{_run}-3;{Sha256(Email("chloe"))};Chloé;Nice;\r\n" +
        $"C{_run}-4;;Denis;;\r\n" +
        $"C{_run}-1;{Sha256(Email("anne"))};Anne;\"Lyon; 2e\";\r\n" +
        "unknown;;Fabrice;Lille;\r\n" +
        ";;Gaël;Brest;\r\n" +
        $"C{_run}-8;{Sha256(Email("hugo"))};Hugo;Metz;2099-01-01T00:00:00+00:00\r\n",
        byteOrderMark: true);

    [Fact]
    public async Task A_CRM_file_lands_reconciles_with_the_web_and_a_second_run_changes_nothing()
    {
        await SeedEarlierTouchpointsAsync();
        var file = WriteCrmFile();

        var first = await ImportTool.RunAsync(Arguments(file));

        Assert.True(first.ExitCode == 0, first.Errors);
        // Anne twice and Bruno are online; Chloé (a shop only) and Denis (new) are not: 3 of the 5 rows that landed.
        Assert.Equal("8 rows: 4 accepted, 1 duplicate, 3 rejected; 3 matched an online profile (60.0%)", first.Summary);
        AssertRejectedFile(file);
        Assert.Contains($"3 rejected rows, with the reasons, are in {RejectedFile.PathFor(file)}", first.Errors);

        var anne = await fixture.Api.LookupAsync("email", Email("anne"));
        Assert.Equal(["crm", "web"], anne["channels"]!.AsObject().Select(c => c.Key).Order());
        Assert.Equal(2, (int)anne["touchpoints"]!);
        Assert.Equal("Anne", (string)anne["traits"]!["firstName"]!);
        Assert.Equal("Lyon; 2e", (string)anne["traits"]!["city"]!);

        var second = await ImportTool.RunAsync(Arguments(file));

        Assert.True(second.ExitCode == 0, second.Errors);
        Assert.Equal("8 rows: 0 accepted, 5 duplicate, 3 rejected; 3 matched an online profile (60.0%)", second.Summary);
        AssertRejectedFile(file);
        Assert.Equal(2, (int)(await fixture.Api.LookupAsync("email", Email("anne")))["touchpoints"]!);
    }

    [Fact]
    public async Task The_same_rows_in_another_file_in_another_order_are_duplicates_and_only_a_new_row_is_accepted()
    {
        await SeedEarlierTouchpointsAsync();
        Assert.Equal(0, (await ImportTool.RunAsync(Arguments(WriteCrmFile()))).ExitCode);
        // Another export: commas, columns in another order, an extra column, Bruno before Anne, and Inès is new.
        var update = _folder.Write("crm-update.csv",
            "SignupDate,City,FirstName,Segment,EmailSha256,CustomerNo\n" +
            $"2026-01-15T10:00:00+01:00,Paris,Bruno,gold,{Sha256(Email("bruno")).ToUpperInvariant()},C{_run}-2\n" +
            $",\"Lyon; 2e\",Anne,silver,{Sha256(Email("anne"))},C{_run}-1\n" +
            $",Rennes,Inès,gold,{Sha256(Email("ines"))},C{_run}-9\n");

        var run = await ImportTool.RunAsync(Arguments(update));

        Assert.True(run.ExitCode == 0, run.Errors);
        Assert.Equal("3 rows: 1 accepted, 2 duplicate, 0 rejected; 2 matched an online profile (66.7%)", run.Summary);
        Assert.False(File.Exists(RejectedFile.PathFor(update)));
    }

    [Fact]
    public async Task Rows_imported_on_an_online_channel_are_all_matched()
    {
        var file = WriteCrmFile();

        var run = await ImportTool.RunAsync([.. Arguments(file), "--channel", "email", "--type", "newsletter_subscribe"]);

        Assert.True(run.ExitCode == 0, run.Errors);
        Assert.Equal("8 rows: 4 accepted, 1 duplicate, 3 rejected; 5 matched an online profile (100.0%)", run.Summary);
        var denis = await fixture.Api.LookupAsync("crm_id", $"C{_run}-4");
        Assert.Equal(["email"], denis["channels"]!.AsObject().Select(c => c.Key));
    }

    [Fact]
    public async Task Without_the_API_key_the_import_stops_and_says_why()
    {
        var file = WriteCrmFile();
        string[] withoutKey = [.. Arguments(file).Where(a => a is not ("--key" or NodeFixture.Key))];

        var refused = await ImportTool.RunAsync(withoutKey);

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("the node answered 401: give an API key with --key (or PROFILES_API_KEY)", refused.Errors);
        Assert.Empty(refused.Output);

        var fromEnvironment = await ImportTool.RunAsync(withoutKey, name => name == "PROFILES_API_KEY" ? NodeFixture.Key : null);

        Assert.True(fromEnvironment.ExitCode == 0, fromEnvironment.Errors);
        Assert.StartsWith("8 rows: 4 accepted, 1 duplicate, 3 rejected;", fromEnvironment.Summary);
    }

    /// <summary>The rejected rows as they were, in the file's order and separator, each with its reason.</summary>
    private void AssertRejectedFile(string file)
    {
        using var rejected = CrmFile.Open(RejectedFile.PathFor(file));
        Assert.Equal(';', rejected.Separator);
        Assert.Equal(["CustomerNo", "EmailSha256", "FirstName", "City", "SignupDate", "reason"], rejected.Header);
        var rows = new List<string[]>();
        while (rejected.Next() is { } row) rows.Add(row.Cells);
        Assert.Equal(3, rows.Count);

        Assert.Equal(["unknown", "", "Fabrice", "Lille", ""], rows[0][..5]);
        Assert.StartsWith("identifiers: every identifier is a blocked placeholder value", rows[0][5]);

        Assert.Equal(["", "", "Gaël", "Brest", "", "no identifier: CustomerNo, EmailSha256 are empty"], rows[1]);

        Assert.Equal([$"C{_run}-8", Sha256(Email("hugo")), "Hugo", "Metz", "2099-01-01T00:00:00+00:00"], rows[2][..5]);
        Assert.StartsWith("SignupDate (occurredAt): ", rows[2][5]);
        Assert.Contains("future", rows[2][5]);
    }

    public void Dispose() => _folder.Dispose();
}
