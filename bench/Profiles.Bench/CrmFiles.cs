using CsvHelper;
using Profiles.Core.Identifiers;

namespace Profiles.Bench;

/// <summary>
/// CRM onboarding files for the import scenario, as a French CRM exports them (<c>;</c>-separated, e-mails and
/// phones as SHA-256 of the normalised value), and for a share of the customers a web login of earlier with the
/// same e-mail in clear, so the import has online profiles to reconcile with. Customer <c>i</c> of a seed is
/// always the same; its e-mail domain and its <c>+3369</c> phone range appear nowhere else in the bench.
/// </summary>
public static class CrmFiles
{
    /// <summary>How the import maps the CRM file's columns.</summary>
    public static readonly string[] CrmArguments =
    [
        "--map", "crm_id=CustomerNo", "--map", "email=EmailSha256", "--sha256", "email", "--map", "phone=PhoneSha256", "--sha256", "phone",
        "--trait", "firstName=FirstName", "--trait", "lastName=LastName", "--trait", "city=City",
    ];

    /// <summary>How the web logins' file is mapped when it is sent ahead of the import.</summary>
    public static readonly string[] WebArguments = ["--map", "cookie=Cookie", "--map", "email=Email", "--channel", "web", "--type", "login"];

    private static readonly string[] Given = ["Jeanne", "Étienne", "Margaux", "Benoît", "Agathe", "Rémi", "Océane", "Maël", "Anaïs", "Loïc"];
    private static readonly string[] Family = ["DUPONT", "D'ALMEIDA", "LE GOFF", "NGUYEN", "MÜLLER", "DA SILVA", "FAURE", "BLANC", "MERCIER", "O'NEILL"];
    private static readonly string[] Towns = ["Saint-Étienne", "Aix-en-Provence", "Clermont-Ferrand", "Le Havre", "Brest", "Dijon", "Angers", "Metz"];

    /// <summary>Writes customers [<paramref name="from"/>, +<paramref name="count"/>) to <paramref name="crmPath"/>
    /// and the web logins of about <paramref name="onlinePercent"/>% of them to <paramref name="webPath"/>.</summary>
    /// <returns>How many customers have a web login: the rows the import should count as matched.</returns>
    public static int Write(string crmPath, string webPath, int seed, int from, int count, int onlinePercent)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(crmPath))!);
        using var crm = CsvWriter.Create(File.Create(crmPath), new CsvWriterOptions { Separator = ';' });
        using var web = CsvWriter.Create(File.Create(webPath));
        WriteRecord(crm, "CustomerNo", "EmailSha256", "PhoneSha256", "FirstName", "LastName", "City");
        WriteRecord(web, "Cookie", "Email");
        var online = 0;
        for (var i = from; i < from + count; i++)
        {
            var r = new Random(HashCode.Combine(seed, i));
            var given = Given[r.Next(Given.Length)];
            var family = Family[r.Next(Family.Length)];
            var email = $"c{i}.{seed}@crm-bench.example";
            var phone = $"+3369{i % 10_000_000:D7}";
            WriteRecord(crm, $"CRM{seed}-{i:D8}", IdentifierHasher.Sha256Hex(email), IdentifierHasher.Sha256Hex(phone), given, family, Towns[r.Next(Towns.Length)]);
            if (r.Next(100) >= onlinePercent) continue;
            WriteRecord(web, $"ck-crm-{seed}-{i}", char.ToUpperInvariant(email[0]) + email[1..]);
            online++;
        }
        return online;
    }

    private static void WriteRecord(CsvWriter csv, params string[] fields)
    {
        foreach (var field in fields) csv.WriteField(field);
        csv.EndRecord();
    }
}
