namespace Profiles.Import.Tests;

/// <summary>The summary line's percentage: of the rows that landed, one decimal, half away from zero.</summary>
public sealed class ImportSummaryTests
{
    [Theory]
    [InlineData(3, 2, 1, 0, 1, "3 rows: 2 accepted, 1 duplicate, 0 rejected; 1 matched an online profile (33.3%)")]
    [InlineData(16, 16, 0, 0, 1, "16 rows: 16 accepted, 0 duplicate, 0 rejected; 1 matched an online profile (6.3%)")]
    [InlineData(10, 2, 2, 6, 3, "10 rows: 2 accepted, 2 duplicate, 6 rejected; 3 matched an online profile (75.0%)")]
    [InlineData(2, 0, 0, 2, 0, "2 rows: 0 accepted, 0 duplicate, 2 rejected; 0 matched an online profile (0.0%)")]
    [InlineData(100000, 99990, 0, 10, 29997, "100000 rows: 99990 accepted, 0 duplicate, 10 rejected; 29997 matched an online profile (30.0%)")]
    public void The_line_counts_rows_and_the_share_of_landed_rows_matched(long rows, long accepted, long duplicate, long rejected, long matched, string line) =>
        Assert.Equal(line, new ImportSummary(rows, accepted, duplicate, rejected, matched).ToString());
}
