using Microsoft.EntityFrameworkCore;
using SuccessPlans.Csv;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Roster;
using SuccessPlans.Features.Seeding;
using SuccessPlans.Features.Students;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Seeding;

public class CsvTests
{
    [Fact]
    public void Reads_real_world_csv_bom_crlf_quotes_extra_columns_and_blank_lines()
    {
        var text = "\uFEFFsourcedId,name,extra\r\n" +
                   "1,\"Smith, Jr.\",x\r\n" +
                   "2,\"She said \"\"hi\"\"\",y\n" +
                   "3,\"two\r\nlines\",z\r\n" +
                   "\r\n\r\n";
        var file = CsvFile.Parse("orgs.csv", text);
        var rows = file.Rows.ToList();
        Assert.Equal(3, rows.Count);
        Assert.Equal("1", rows[0]["sourcedId"]);
        Assert.Equal("Smith, Jr.", rows[0]["name"]);
        Assert.Equal("She said \"hi\"", rows[1]["name"]);
        Assert.Equal("two\r\nlines", rows[2]["name"]);
        Assert.Equal([2, 3, 4], rows.Select(r => r.Line));
        Assert.Equal("", rows[0]["missing column"]);
    }

    [Fact]
    public void A_file_streamed_through_a_small_buffer_reads_as_the_same_text_does()
    {
        // Quotes, doubled quotes and CRLF pairs land on the reader's buffer edges: every field must come out the same.
        var text = "id,name,note\r\n" + string.Concat(Enumerable.Range(1, 400).Select(i =>
            $"{i},\"Name, {i}\",\"said \"\"{new string('x', i % 13)}\"\"\r\nnext line\"\r\n" + (i % 7 == 0 ? "\n" : "")));
        using var reader = new StreamReader(new MemoryStream(System.Text.Encoding.UTF8.GetPreamble().Concat(System.Text.Encoding.UTF8.GetBytes(text)).ToArray()),
            System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 16);
        var streamed = CsvFile.Open("big.csv", reader).Rows.Select(r => (r.Line, r["id"], r["name"], r["note"])).ToList();
        var whole = CsvFile.Parse("big.csv", text).Rows.Select(r => (r.Line, r["id"], r["name"], r["note"])).ToList();
        Assert.Equal(400, streamed.Count);
        Assert.Equal(whole, streamed);
        Assert.Equal((2, "1", "Name, 1", "said \"x\"\r\nnext line"), streamed[0]);
    }

    [Fact]
    public void Records_read_as_spans_across_the_readers_blocks_are_the_rows_fields()
    {
        // Some fields are longer than the reader's 64K block, and quoted ones hold a line end: records cross its edges.
        var text = "id,name,note\n" + string.Concat(Enumerable.Range(1, 3000).Select(i =>
            $"{i}, Name {i} ,\"{(i % 500 == 0 ? new string('y', 70_000) : "n")}\"\"q\"\"\r\nz\"\n" + (i % 1000 == 0 ? "\n" : "")));
        var rows = CsvFile.Parse("x.csv", text).Rows.Select(r => (r.Line, r["id"], r["name"], r["note"])).ToList();
        var records = CsvFile.Open("x.csv", new StringReader(text)).Records;
        var spans = new List<(int, string, string, string)>();
        while (records.Read())
            if (!records.IsBlank) spans.Add((records.Line, new string(records[0]), new string(records[1]), new string(records[2])));
        Assert.Equal(3000, spans.Count);
        Assert.Equal(rows, spans);
        Assert.Equal((1000, "500", "Name 500", new string('y', 70_000) + "\"q\"\r\nz"), spans[499]);
        Assert.Equal((2 + 2 * 1000 + 1, "1001", "Name 1001", "n\"q\"\r\nz"), spans[1000]);
    }

    [Fact]
    public void An_unclosed_quote_names_the_file_and_line()
    {
        var e = Assert.Throws<ImportFileException>(() => CsvFile.Parse("users.csv", "a,b\n1,2\n3,\"open\n").Rows.ToList());
        Assert.Equal("users.csv line 3: a quoted field is never closed", e.Message);
    }

    [Fact]
    public void Missing_headers_are_named()
    {
        var e = Assert.Throws<ImportFileException>(() => CsvFile.Parse("users.csv", "sourcedId,role\n").RequireHeaders("sourcedId", "givenName", "familyName"));
        Assert.Equal("users.csv line 1: missing column(s) 'givenName', 'familyName'", e.Message);
    }

    [Fact]
    public void Written_fields_read_back_unchanged()
    {
        var writer = new StringWriter();
        new CsvWriter(writer).WriteRow("plain", "comma, inside", "quote \" inside", "line\nbreak", null);
        var row = CsvFile.Parse("x.csv", "a,b,c,d,e\r\n" + writer).Rows.Single();
        Assert.Equal(["plain", "comma, inside", "quote \" inside", "line\nbreak", ""], new[] { "a", "b", "c", "d", "e" }.Select(h => row[h]));
    }

    // OWASP's CSV injection list: a cell starting with = + - @, a tab or a carriage return runs as a formula.
    [Theory]
    [InlineData("=1+1", "'=1+1")]
    [InlineData("+1+1", "'+1+1")]
    [InlineData("-2+3", "'-2+3")]
    [InlineData("@SUM(A1:A2)", "'@SUM(A1:A2)")]
    [InlineData("\tx", "'\tx")]
    [InlineData("\r=x", "\"'\r=x\"")]
    [InlineData("=HYPERLINK(\"http://evil.example\",\"Click\")", "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"Click\"\")\"")]
    [InlineData("'=already quoted", "''=already quoted")]
    [InlineData("-5", "-5")]
    [InlineData("+3.5", "+3.5")]
    [InlineData("'plain", "'plain")]
    [InlineData("Smith-Jones", "Smith-Jones")]
    public void A_cell_a_spreadsheet_would_run_is_written_as_text_and_read_back_as_it_was(string value, string written)
    {
        var writer = new StringWriter();
        new CsvWriter(writer).WriteRow(value, "next");
        Assert.Equal($"{written},next\r\n", writer.ToString());
        var row = CsvFile.Parse("x.csv", "a,b\r\n" + writer).Rows.Single();
        Assert.Equal(value.Trim(), row["a"]);
    }
}

public class GeneratorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("successplans-gen-").FullName;

    [Fact]
    public void The_same_seed_and_size_give_the_same_files()
    {
        DemoDataGenerator.Write(Path.Combine(_dir, "one"), 250, 7);
        DemoDataGenerator.Write(Path.Combine(_dir, "two"), 250, 7);
        DemoDataGenerator.Write(Path.Combine(_dir, "other"), 250, 8);
        foreach (var file in new[] { "oneroster/users.csv", "oneroster/orgs.csv", "oneroster/demographics.csv", "hsds/organizations.csv", "hsds/services.csv" })
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(_dir, "one", file)), File.ReadAllBytes(Path.Combine(_dir, "two", file)));
        }
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(_dir, "one", "oneroster/users.csv")), File.ReadAllBytes(Path.Combine(_dir, "other", "oneroster/users.csv")));
    }

    [Fact]
    public void The_committed_demo_seed_is_what_the_documented_command_generates()
    {
        DemoDataGenerator.Write(_dir, 1200, 2026);
        var committed = Path.Combine(Model.ModelTests.RepositoryRoot(), "seed-data", "demo");
        foreach (var file in Directory.EnumerateFiles(committed, "*.csv", SearchOption.AllDirectories))
            Assert.Equal(File.ReadAllText(file), File.ReadAllText(Path.Combine(_dir, Path.GetRelativePath(committed, file))));
    }

    [Fact]
    public async Task Generated_files_import_and_a_second_import_changes_nothing()
    {
        var result = DemoDataGenerator.Write(_dir, 500, 3);
        await using var app = new AppFactory();
        var tenant = await app.CreateTenantAsync("gen");
        var first = await app.InTenant(tenant.Id, (sp, _) => sp.GetRequiredService<OneRosterImporter>().ImportDirectoryAsync(Path.Combine(_dir, "oneroster")));
        var directory = await app.InTenant(tenant.Id, (sp, _) => sp.GetRequiredService<HsdsImporter>().ImportDirectoryAsync(Path.Combine(_dir, "hsds")));
        Assert.Equal(new RosterImportResult(result.Schools, 0, 500, 0, 0), first);
        Assert.Equal(new DirectoryImportResult(result.Organizations, 0, result.Services, 0), directory);

        var second = await app.InTenant(tenant.Id, (sp, _) => sp.GetRequiredService<OneRosterImporter>().ImportDirectoryAsync(Path.Combine(_dir, "oneroster")));
        Assert.Equal(new RosterImportResult(0, 0, 0, 0, 0), second);
        var again = await app.InTenant(tenant.Id, (sp, _) => sp.GetRequiredService<HsdsImporter>().ImportDirectoryAsync(Path.Combine(_dir, "hsds")));
        Assert.Equal(new DirectoryImportResult(0, 0, 0, 0), again);
        Assert.Equal(500, await app.InTenant(tenant.Id, (_, db) => db.Students.CountAsync(s => s.Status == StudentStatus.Active)));
    }

    [Fact]
    public async Task The_hsds_example_package_imports()
    {
        var example = Path.Combine(Model.ModelTests.RepositoryRoot(), "tests", "SuccessPlans.Tests", "Fixtures", "hsds-3.0-example");
        Assert.True(Directory.Exists(example), $"{example} is missing");
        await using var app = new AppFactory();
        var tenant = await app.CreateTenantAsync("hsds");
        var files = CsvPackage.ReadDirectory(example);
        files["locations.csv"] = files["locations.csv"].Replace("985e4a42-bd9f-4edc-911d-0243a4640aca", "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"); // a dangling reference of the example
        var result = await app.InTenant(tenant.Id, (sp, _) => sp.GetRequiredService<HsdsImporter>().ImportAsync(files));
        Assert.True(result.OrganizationsAdded >= 1 && result.ServicesAdded >= 1, result.ToString());
        var service = await app.InTenant(tenant.Id, (_, db) => db.Services.Include(s => s.Organization).FirstAsync());
        Assert.Equal("Community Counselling", service.Name);
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
