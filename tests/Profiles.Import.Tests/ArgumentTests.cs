namespace Profiles.Import.Tests;

/// <summary>Mistakes on the command line are told before anything is sent, with a non-zero exit code and
/// nothing on standard output.</summary>
public sealed class ArgumentTests : IDisposable
{
    // Nothing listens there: no test of this class may reach a node.
    private const string Nowhere = "http://127.0.0.1:9";

    private readonly TempFolder _folder = new();
    private readonly string _file;

    public ArgumentTests() => _file = _folder.Write("crm.csv", "CustomerNo;Email;FirstName\nC-1;a@b.fr;Anne\n");

    [Fact]
    public async Task Without_a_target_the_import_says_it_is_required()
    {
        var run = await ImportTool.RunAsync(_file, "--map", "crm_id=CustomerNo");

        AssertRefused(run, "--target is required");
    }

    [Fact]
    public async Task A_file_that_does_not_exist_is_named()
    {
        var missing = Path.Combine(_folder.Path, "nope.csv");

        var run = await ImportTool.RunAsync(missing, "--target", Nowhere, "--map", "crm_id=CustomerNo");

        AssertRefused(run, $"{missing}: no such file");
    }

    [Fact]
    public async Task Columns_missing_from_the_header_are_all_named_with_the_columns_the_file_has()
    {
        var run = await ImportTool.RunAsync(_file, "--target", Nowhere,
            "--map", "crm_id=CustomerNo", "--map", "email=Mail", "--trait", "city=Town");

        AssertRefused(run, "--map email=Mail: no column \"Mail\" in the header of crm.csv");
        Assert.Contains("--trait city=Town: no column \"Town\" in the header of crm.csv", run.Errors);
        Assert.Contains("the columns of crm.csv are: \"CustomerNo\", \"Email\", \"FirstName\"", run.Errors);
    }

    [Fact]
    public async Task A_column_is_found_whatever_its_case()
    {
        var run = await ImportTool.RunAsync(_file, "--target", Nowhere, "--map", "crm_id=customerno", "--occurred-at", "Signup");

        AssertRefused(run, "--occurred-at Signup: no column \"Signup\"");
        Assert.DoesNotContain("customerno", run.Errors);
    }

    [Theory]
    [InlineData("--sha256 phone: no --map phone=COLUMN says which column holds it", "--map", "email=Email", "--sha256", "phone")]
    [InlineData("at least one --map TYPE=COLUMN is required", "--trait", "firstName=FirstName")]
    [InlineData("--map Email: expected TYPE=COLUMN", "--map", "Email")]
    [InlineData("--map E-mail=Email: an identifier type must match [a-z0-9_]{1,32}", "--map", "E-mail=Email")]
    [InlineData("--channel CRM: must match [a-z0-9_]{1,32}", "--map", "email=Email", "--channel", "CRM")]
    [InlineData("--type crm import: must match [a-z0-9_.]{1,64}", "--map", "email=Email", "--type", "crm import")]
    [InlineData("--parallel must be a whole number from 1 to 64", "--map", "email=Email", "--parallel", "0")]
    [InlineData("unknown option --mapping", "--mapping", "email=Email")]
    public async Task A_wrong_option_is_explained(string message, params string[] options)
    {
        var run = await ImportTool.RunAsync([_file, "--target", Nowhere, .. options]);

        AssertRefused(run, message);
    }

    [Fact]
    public async Task Help_lists_the_options_and_succeeds()
    {
        var run = await ImportTool.RunAsync("--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("--map TYPE=COLUMN", run.Output);
        Assert.Contains("--sha256 TYPE", run.Output);
        Assert.Contains("--occurred-at COLUMN", run.Output);
    }

    private static void AssertRefused(ImportOutcome run, string message)
    {
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Errors);
        Assert.Empty(run.Output);
    }

    public void Dispose() => _folder.Dispose();
}
