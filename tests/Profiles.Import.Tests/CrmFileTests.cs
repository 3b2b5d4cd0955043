using Profiles.Import;

namespace Profiles.Import.Tests;

/// <summary>Reading CRM files as spreadsheets and CRMs write them.</summary>
public sealed class CrmFileTests : IDisposable
{
    private readonly TempFolder _folder = new();

    [Fact]
    public void A_comma_separated_file_keeps_separators_quotes_and_line_breaks_inside_quoted_fields()
    {
        var path = _folder.Write("crm.csv",
            "CustomerNo,Name,Note\r\n" +
            "C-1,\"Martin, Paul\",\"says \"\"hello\"\"\"\r\n" +
            "C-2,Anne,\"two\nlines\"\r\n" +
            "C-3,Bob,plain\r\n");

        var rows = Read(path, out var file);

        Assert.Equal(',', file.Separator);
        Assert.Equal(["CustomerNo", "Name", "Note"], file.Header);
        Assert.Equal(["C-1", "Martin, Paul", "says \"hello\""], rows[0].Cells);
        Assert.Equal(["C-2", "Anne", "two\nlines"], rows[1].Cells);
        Assert.Equal(["C-3", "Bob", "plain"], rows[2].Cells);
        Assert.Equal([2L, 3L, 5L], rows.Select(r => r.Line));
    }

    [Fact]
    public void A_semicolon_separated_file_with_decimal_commas_is_read_as_semicolon_separated()
    {
        var path = _folder.Write("crm.csv",
            "CustomerNo;City;Spent\n" +
            "C-1;\"Lyon; 2e\";12,50\n" +
            "C-2;Paris;1 234,00\n");

        var rows = Read(path, out var file);

        Assert.Equal(';', file.Separator);
        Assert.Equal(["CustomerNo", "City", "Spent"], file.Header);
        Assert.Equal(["C-1", "Lyon; 2e", "12,50"], rows[0].Cells);
        Assert.Equal(["C-2", "Paris", "1 234,00"], rows[1].Cells);
    }

    [Fact]
    public void Empty_cells_read_as_empty_and_blank_lines_are_skipped()
    {
        var path = _folder.Write("crm.csv", "CustomerNo,Email,Phone\n\nC-1,,06 12 34 56 78\n,a@b.fr,\n\n");

        var rows = Read(path, out _);

        Assert.Equal(2, rows.Count);
        Assert.Equal(["C-1", "", "06 12 34 56 78"], rows[0].Cells);
        Assert.Equal(["", "a@b.fr", ""], rows[1].Cells);
    }

    [Fact]
    public void A_UTF8_file_with_a_byte_order_mark_has_a_clean_first_column_name_and_its_accents()
    {
        var path = _folder.Write("crm.csv", "CustomerNo;Prénom;Ville\nC-1;Chloé;Saint-Étienne\n", byteOrderMark: true);

        var rows = Read(path, out var file);

        Assert.Equal(["CustomerNo", "Prénom", "Ville"], file.Header);
        Assert.Equal(["C-1", "Chloé", "Saint-Étienne"], rows[0].Cells);
    }

    [Fact]
    public void A_file_with_only_a_header_has_no_rows_and_an_empty_file_cannot_be_imported()
    {
        Assert.Empty(Read(_folder.Write("header.csv", "CustomerNo,Email\n"), out _));

        var empty = Assert.Throws<FileProblemException>(() => CrmFile.Open(_folder.Write("empty.csv", "")));
        Assert.Contains("the file is empty", empty.Message);
    }

    private static List<CrmRow> Read(string path, out CrmFile file)
    {
        using var opened = CrmFile.Open(path);
        file = opened;
        var rows = new List<CrmRow>();
        while (opened.Next() is { } row) rows.Add(row);
        Assert.Equal(rows.Count, CrmFile.CountRows(path));
        return rows;
    }

    public void Dispose() => _folder.Dispose();
}
