using System.IO.Compression;
using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using SuccessPlans.Features.Roster;
using SuccessPlans.Features.Students;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Plans;

/// <summary>OneRoster import as real files come: BOM or not, CRLF or LF, quotes, extra columns, tobedeleted.</summary>
public class RosterImportTests : IAsyncLifetime
{
    private readonly AppFactory _app = new();
    private int _tenant, _other;

    private const string Orgs = "\uFEFFsourcedId,status,dateLastModified,name,type,identifier,parentSourcedId,extraColumn\r\n" +
                                "d1,active,,District,district,,,x\r\n" +
                                "s1,active,,\"Lincoln School, North\",school,,d1,x\r\n" +
                                "s2,active,,Washington School,school,,d1,x\r\n\r\n";

    private const string Users = "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password,metadata.homeLanguage\n" +
                                 "u1,active,,true,s1,student,,,Ana,\"O'Brien, Jr.\",,1001,,,,g1,03,,es\n" +
                                 "g1,active,,false,s1,guardian,,,Maria,\"O'Brien\",,,maria@example.net,,555-0100,u1,,,\n" +
                                 "u2,active,,true,\"s2,s1\",student,,,\"Anne \"\"Annie\"\"\",Lee,,1002,,,,,04,,en\n" +
                                 "u3,tobedeleted,,true,s1,student,,,Cal,Gone,,1003,,,,,03,,\n" +
                                 "u4,active,,true,s9,student,,,Dee,Nowhere,,1004,,,,,03,,\n" +
                                 "u1,active,,true,s1,student,,,Twice,Listed,,1001,,,,,03,,\n" +
                                 "u5,active,,true,s2,student,,,,NoGiven,,1005,,,,,03,,\n" +
                                 "t1,active,,true,s1,teacher,,,Tess,Teacher,,,,,,,,,\n\n\n";

    private const string Demographics = "sourcedId,status,dateLastModified,birthDate,sex\r\nu1,active,,2017-03-04,female\r\nu2,active,,04/05/2016,female\r\n";

    public async Task InitializeAsync()
    {
        _tenant = (await _app.CreateTenantAsync("roster")).Id;
        _other = (await _app.CreateTenantAsync("roster-other")).Id;
        await _app.CreateUserAsync(_tenant, "admin@roster.test", UserRole.Admin);
        await _app.CreateUserAsync(_other, "admin@roster-other.test", UserRole.Admin);
        await _app.CreateUserAsync(_tenant, "coord@roster.test", UserRole.Coordinator);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private Task<RosterImportPreview> Preview(int tenant, Dictionary<string, string> files) =>
        _app.InTenant(tenant, (sp, _) => sp.GetRequiredService<OneRosterImporter>().PreviewAsync(files));

    private async Task<RosterImportResult> Import(int tenant, Dictionary<string, string> files) =>
        await _app.InTenant(tenant, async (sp, _) =>
        {
            var importer = sp.GetRequiredService<OneRosterImporter>();
            return await importer.ApplyAsync(await importer.PreviewAsync(files), new SuccessPlans.Features.Plans.Actor(null, "Test import"));
        });

    private const string Classes = "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds\n" +
                                   "c1,active,,Grade 3 Homeroom,03,,,homeroom,,s1,\n" +
                                   "c2,active,,Lost Class,03,,,homeroom,,s7,\n";

    private const string Enrollments = "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate\n" +
                                       "e1,active,,c1,s1,t1,teacher,true,,\n" +
                                       "e2,active,,c1,s1,u1,student,false,,\n" +
                                       "e3,active,,c1,s1,u2,student,false,,\n" +
                                       "e4,active,,c9,s1,u2,student,false,,\n";

    private static Dictionary<string, string> Files(string? users = null) =>
        new() { ["orgs.csv"] = Orgs, ["users.csv"] = users ?? Users, ["demographics.csv"] = Demographics, ["classes.csv"] = Classes, ["enrollments.csv"] = Enrollments };

    [Fact]
    public async Task The_report_counts_every_change_and_names_every_rejected_row_before_anything_is_written()
    {
        var preview = await Preview(_tenant, Files());
        Assert.True(preview.CanImport);
        Assert.Equal(2, preview.SchoolsToAdd);
        Assert.Equal(2, preview.StudentsToAdd); // u1, u2 (u3 is tobedeleted and unknown)
        Assert.Equal(
        [
            new RejectedRow("users.csv", 6, "orgSourcedIds 's9' is not a school in orgs.csv"),
            new RejectedRow("users.csv", 7, "sourcedId 'u1' appears twice"),
            new RejectedRow("users.csv", 8, "field 'givenName' is empty"),
            new RejectedRow("classes.csv", 3, "schoolSourcedId 's7' is not a school in orgs.csv"),
            new RejectedRow("demographics.csv", 3, "field 'birthDate' is not a date (yyyy-MM-dd): '04/05/2016'"),
            new RejectedRow("enrollments.csv", 5, "classSourcedId 'c9' is not a class in classes.csv"),
        ], preview.Rejected.OrderBy(r => r.File != "users.csv").ThenBy(r => r.File).ThenBy(r => r.Line));
        Assert.Equal(1, preview.ClassesToAdd);
        Assert.Equal(2, preview.Enrollments);
        Assert.Equal(0, await _app.InTenant(_tenant, (_, db) => db.Students.CountAsync()));
        Assert.Equal(0, await _app.InTenant(_tenant, (_, db) => db.Schools.CountAsync()));
    }

    [Fact]
    public async Task Importing_keeps_quotes_commas_guardians_languages_and_birth_dates()
    {
        var result = await Import(_tenant, Files());
        Assert.Equal(new RosterImportResult(2, 0, 2, 0, 0), result);
        var students = await _app.InTenant(_tenant, (_, db) => db.Students.Include(s => s.School).OrderBy(s => s.ExternalId).ToListAsync());
        var ana = students[0];
        Assert.Equal("O'Brien, Jr.", ana.FamilyName);
        Assert.Equal("Lincoln School, North", ana.School.Name);
        Assert.Equal("Maria O'Brien", ana.GuardianName);
        Assert.Equal("maria@example.net", ana.GuardianEmail);
        Assert.Equal("555-0100", ana.GuardianPhone);
        Assert.Equal("es", ana.HomeLanguage);
        Assert.Equal(new DateOnly(2017, 3, 4), ana.BirthDate);
        Assert.Equal("03", ana.Grade);
        Assert.Equal("Anne \"Annie\"", students[1].GivenName);
        Assert.Equal("Washington School", students[1].School.Name); // the first of its orgSourcedIds
        var homeroom = await _app.InTenant(_tenant, (_, db) => db.Classes.Include(c => c.Enrollments).SingleAsync());
        Assert.Equal(("Grade 3 Homeroom", "Tess Teacher", 2), (homeroom.Title, homeroom.TeacherName, homeroom.Enrollments.Count));
    }

    [Fact]
    public async Task Re_importing_is_idempotent_and_a_changed_file_updates_and_withdraws()
    {
        await Import(_tenant, Files());
        var again = await Preview(_tenant, Files());
        Assert.Equal((0, 0, 0, 2), (again.StudentsToAdd, again.StudentsToUpdate, again.StudentsToWithdraw, again.StudentsUnchanged));
        Assert.Equal((0, 0), (again.ClassesToAdd, again.ClassesToUpdate));
        Assert.Equal(new RosterImportResult(0, 0, 0, 0, 0), await Import(_tenant, Files()));

        // A plan and history must survive the withdrawal.
        var ana = await _app.InTenant(_tenant, (_, db) => db.Students.SingleAsync(s => s.ExternalId == "u1"));
        await _app.InTenant(_tenant, async (_, db) =>
        {
            db.Plans.Add(new SuccessPlans.Features.Plans.SuccessPlan { StudentId = ana.Id, SchoolYear = 2026, Tier = 2 });
            await db.SaveChangesAsync();
        });
        var changed = Users.Replace("u1,active,,true,s1,student,,,Ana,", "u1,tobedeleted,,true,s1,student,,,Ana,")
                           .Replace("\"Anne \"\"Annie\"\"\",Lee", "\"Anne \"\"Annie\"\"\",Lee-Park");
        var preview = await Preview(_tenant, Files(changed));
        Assert.Equal((0, 1, 1), (preview.StudentsToAdd, preview.StudentsToUpdate, preview.StudentsToWithdraw));
        Assert.Equal(new RosterImportResult(0, 0, 0, 1, 1), await Import(_tenant, Files(changed)));

        var after = await _app.InTenant(_tenant, (_, db) => db.Students.OrderBy(s => s.ExternalId).ToListAsync());
        Assert.Equal(StudentStatus.Withdrawn, after[0].Status);
        Assert.Equal("Lee-Park", after[1].FamilyName);
        Assert.Equal(1, await _app.InTenant(_tenant, (_, db) => db.Plans.CountAsync(p => p.StudentId == ana.Id)));
    }

    [Fact]
    public async Task Wrong_headers_or_missing_files_write_nothing()
    {
        var wrong = await Preview(_tenant, new() { ["orgs.csv"] = Orgs, ["users.csv"] = "id,name\nu1,Ana\n" });
        Assert.False(wrong.CanImport);
        Assert.Contains("users.csv line 1: missing column(s) 'sourcedId', 'status', 'role', 'orgSourcedIds', 'givenName', 'familyName'", wrong.FileErrors);
        var missing = await Preview(_tenant, new() { ["orgs.csv"] = Orgs });
        Assert.Contains("users.csv: file not found", missing.FileErrors);
        var broken = await Preview(_tenant, new() { ["orgs.csv"] = Orgs, ["users.csv"] = Users + "u9,active,,true,s1,student,,,\"Open,Quote\n" });
        Assert.False(broken.CanImport);
        Assert.Contains(broken.FileErrors, e => e.ToString().StartsWith("users.csv line 12: a quoted field is never closed", StringComparison.Ordinal));
        await Assert.ThrowsAsync<InvalidOperationException>(() => _app.InTenant(_tenant, (sp, _) => sp.GetRequiredService<OneRosterImporter>().ApplyAsync(wrong, new SuccessPlans.Features.Plans.Actor(null, "Test import"))));
        Assert.Equal(0, await _app.InTenant(_tenant, (_, db) => db.Schools.CountAsync()));
    }

    private static byte[] Zip(Dictionary<string, string> files)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, text) in files)
            {
                using var w = new StreamWriter(zip.CreateEntry($"export/{name}").Open(), new UTF8Encoding(false));
                w.Write(text);
            }
        return buffer.ToArray();
    }

    private static async Task<HttpResponseMessage> UploadAsync(HttpClient client, params (string Name, byte[] Content)[] files)
    {
        var page = await client.GetDocumentAsync("/Roster/Import");
        var token = page.QuerySelector("form[enctype] input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var form = new MultipartFormDataContent { { new StringContent(token), "__RequestVerificationToken" } };
        foreach (var (name, content) in files)
            form.Add(new ByteArrayContent(content), "files", name);
        return await client.PostAsync("/Roster/Import?handler=Upload", form);
    }

    [Fact]
    public async Task An_admin_uploads_a_zip_reads_the_report_and_confirms()
    {
        var admin = await _app.SignedInAsync("admin@roster.test");
        var uploaded = await UploadAsync(admin, ("oneroster.zip", Zip(Files())));
        Assert.Equal(HttpStatusCode.Redirect, uploaded.StatusCode);
        var reportUrl = uploaded.Location();
        var report = await admin.GetDocumentAsync(reportUrl);
        var cells = report.QuerySelectorAll("table.report td").Select(td => td.TextContent).ToArray();
        Assert.Equal(["2", "0", "2", "0", "0", "0", "1", "2", "6"], cells);
        Assert.Contains("orgSourcedIds 's9' is not a school", report.QuerySelector("table.rejected")!.TextContent);
        Assert.Equal(0, await _app.InTenant(_tenant, (_, db) => db.Students.CountAsync()));

        // Another tenant's Admin cannot see or apply it.
        var other = await _app.SignedInAsync("admin@roster-other.test");
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync(reportUrl)).StatusCode);

        var applied = await admin.SubmitFormAsync(reportUrl, [], formSelector: "form[action*='handler=Apply']");
        Assert.Equal(HttpStatusCode.Redirect, applied.StatusCode);
        Assert.Equal(2, await _app.InTenant(_tenant, (_, db) => db.Students.CountAsync()));
        Assert.Equal(0, await _app.InTenant(_other, (_, db) => db.Students.CountAsync()));
        var done = await (await admin.GetAsync(reportUrl)).Content.ReadAsStringAsync();
        Assert.Contains("Students: 2 added", done);
        Assert.Null(await _app.InTenant(_tenant, (_, db) => db.RosterUploads.Select(u => u.Package).SingleAsync()));
    }

    [Fact]
    public async Task Loose_files_with_wrong_headers_show_the_problem_and_offer_no_import()
    {
        var admin = await _app.SignedInAsync("admin@roster.test");
        var uploaded = await UploadAsync(admin, ("orgs.csv", Encoding.UTF8.GetBytes(Orgs)), ("users.csv", Encoding.UTF8.GetBytes("id,name\n1,x\n")));
        var report = await admin.GetDocumentAsync(uploaded.Location());
        Assert.Contains("missing column(s)", report.QuerySelector(".errors")!.TextContent);
        Assert.Empty(report.QuerySelectorAll("form[action*='handler=Apply']"));
    }

    [Fact]
    public async Task Only_admins_import()
    {
        var coordinator = await _app.SignedInAsync("coord@roster.test");
        Assert.StartsWith("https://localhost/Account/AccessDenied", (await coordinator.GetAsync("/Roster/Import")).Location());
    }
}
