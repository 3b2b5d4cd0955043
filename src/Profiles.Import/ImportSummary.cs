using System.Globalization;

namespace Profiles.Import;

/// <summary>
/// The one line an import ends with. The percentage is of the rows that landed (accepted + duplicate): a rejected
/// row reached no profile, so it cannot be matched or unmatched. Rounded to one decimal, half away from zero.
/// </summary>
public sealed record ImportSummary(long Rows, long Accepted, long Duplicate, long Rejected, long Matched)
{
    public decimal MatchedPercent
    {
        get
        {
            var landed = Accepted + Duplicate;
            return landed == 0 ? 0m : Math.Round(100m * Matched / landed, 1, MidpointRounding.AwayFromZero);
        }
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Rows} rows: {Accepted} accepted, {Duplicate} duplicate, {Rejected} rejected; {Matched} matched an online profile ({MatchedPercent:0.0}%)");
}
