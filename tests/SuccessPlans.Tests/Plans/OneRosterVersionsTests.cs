using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using SuccessPlans.Csv;
using SuccessPlans.Data;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Referrals;
using SuccessPlans.Features.Roster;
using SuccessPlans.Features.Schools;
using SuccessPlans.Features.Students;
using SuccessPlans.Features.Tenants;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Plans;

/// <summary>
/// OneRoster 1.1 and 1.2 packages (tests/SuccessPlans.Tests/Fixtures/oneroster-1.x, laid out as the 1EdTech CSV
/// binding writes them), the school a child is placed in, rows left out, the child's history, withdrawals that leave
/// work open, and keys that differ only by case.
/// </summary>
public class OneRosterVersionsTests : IAsyncLifetime
{
    private readonly AppFactory _app = new();
    private int _tenant, _twin;
    private static readonly Actor Tester = new(null, "Test import");

    private static string Fixture(string version) => Path.Combine(Model.ModelTests.RepositoryRoot(), "tests", "SuccessPlans.Tests", "Fixtures", $"oneroster-{version}");

    public async Task InitializeAsync()
    {
        _tenant = (await _app.CreateTenantAsync("oneroster")).Id;
        _twin = (await _app.CreateTenantAsync("oneroster-twin")).Id;
        await _app.CreateUserAsync(_tenant, "admin@oneroster.test", UserRole.Admin);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private Task<RosterImportPreview> Preview(int tenant, IReadOnlyDictionary<string, string> files) =>
        _app.InTenant(tenant, (sp, _) => sp.GetRequiredService<OneRosterImporter>().PreviewAsync(files));

    private Task<RosterImportResult> Import(int tenant, IReadOnlyDictionary<string, string> files) =>
        _app.InTenant(tenant, async (sp, _) =>
        {
            var importer = sp.GetRequiredService<OneRosterImporter>();
            var preview = await importer.PreviewAsync(files);
            Assert.Empty(preview.FileErrors);
            return await importer.ApplyAsync(preview, Tester);
        });

    /// <summary>Everything the app keeps about each child and their classes, keyed by sourcedId.</summary>
    private Task<List<string>> Children(int tenant) =>
        _app.InTenant(tenant, async (_, db) =>
        {
            var students = await db.Students.AsNoTracking().OrderBy(s => s.ExternalId)
                .Select(s => new { s.ExternalId, s.GivenName, s.FamilyName, s.LocalId, s.Grade, s.Status, s.HomeLanguage, s.BirthDate, s.GuardianName, s.GuardianEmail, s.GuardianPhone, School = s.School.ExternalId, SchoolName = s.School.Name })
                .ToListAsync();
            var classes = await db.ClassEnrollments.AsNoTracking()
                .Select(e => new { Student = e.Student.ExternalId, Class = e.Class.ExternalId, e.Class.Title, e.Class.TeacherName, e.Class.Grade })
                .ToListAsync();
            return students.Select(s => $"{s}").Concat(classes.Select(c => $"{c}").Order(StringComparer.Ordinal)).ToList();
        });

    [Fact]
    public async Task A_OneRoster_1_2_package_imports_the_same_children_as_its_1_1_twin()
    {
        var v11 = CsvPackage.ReadDirectory(Fixture("1.1"));
        var v12 = CsvPackage.ReadDirectory(Fixture("1.2"));
        var preview = await Preview(_twin, v12);
        Assert.Equal(("1.2", 0), (preview.Version, preview.FileErrors.Count));
        Assert.Equal([new RejectedRow("roles.csv", 10, "role 'administrator' is not imported (students, teachers and guardians are)")], preview.Rejected);
        Assert.Equal("1.1", (await Preview(_tenant, v11)).Version);

        Assert.Equal(new RosterImportResult(2, 0, 3, 0, 0), await Import(_tenant, v11));
        Assert.Equal(new RosterImportResult(2, 0, 3, 0, 0), await Import(_twin, v12));
        var children = await Children(_tenant);
        Assert.Equal(children, await Children(_twin));
        Assert.Equal(3 + 3, children.Count);

        // The district comes first in Ben's orgs (1.1) and is his primaryOrgSourcedId (1.2): he is placed in his school.
        var ben = await _app.InTenant(_twin, (_, db) => db.Students.Include(s => s.School).SingleAsync(s => s.ExternalId == "stu-2"));
        Assert.Equal(("Washington Elementary, East Campus", "Grace Okafor", "(951) 555-0102"), (ben.School.Name, ben.GuardianName, ben.GuardianPhone));
        // What only 1.2 carries is kept too.
        var ana = await _app.InTenant(_twin, (_, db) => db.Students.SingleAsync(s => s.ExternalId == "stu-1"));
        Assert.Equal(("Annie", "she/her", "es"), (ana.PreferredGivenName, ana.Pronouns, ana.HomeLanguage));
        // Re-importing either version into the other's tenant changes nothing the twin holds.
        var again = await Preview(_tenant, v12);
        Assert.Equal((0, 0, 3), (again.StudentsToAdd, again.StudentsToWithdraw, again.StudentsUnchanged + again.StudentsToUpdate));
    }

    [Fact]
    public async Task The_demo_roster_written_as_OneRoster_1_2_imports_the_same_children_as_the_1_1_files()
    {
        var demo = CsvPackage.ReadDirectory(Path.Combine(Model.ModelTests.RepositoryRoot(), "seed-data", "demo", "oneroster"));
        var v12 = AsOneRoster12(demo);
        var preview = await Preview(_twin, v12);
        Assert.Equal(("1.2", 0), (preview.Version, preview.Rejected.Count));
        var first = await Import(_tenant, demo);
        Assert.Equal(1200, first.StudentsAdded);
        Assert.Equal(first, await Import(_twin, v12));
        Assert.Equal(await Children(_tenant), await Children(_twin));
    }

    /// <summary>The 1.1 files moved to the 1.2 layout: role and orgs out of users.csv into roles.csv, the first org as primaryOrgSourcedId.</summary>
    private static Dictionary<string, string> AsOneRoster12(Dictionary<string, string> v11)
    {
        var result = new Dictionary<string, string>(v11, StringComparer.OrdinalIgnoreCase)
        {
            ["manifest.csv"] = v11["manifest.csv"].Replace("oneroster.version,1.1", "oneroster.version,1.2", StringComparison.Ordinal),
        };
        var users = CsvFile.Parse("users.csv", v11["users.csv"]);
        string[] columns = ["sourcedId", "status", "dateLastModified", "enabledUser", "username", "userIds", "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds", "grades", "password",
            "userMasterIdentifier", "resourceSourcedIds", "preferredGivenName", "preferredMiddleName", "preferredFamilyName", "primaryOrgSourcedId", "pronouns", "metadata.homeLanguage"];
        var usersOut = new StringWriter();
        var rolesOut = new StringWriter();
        var u = new CsvWriter(usersOut);
        var r = new CsvWriter(rolesOut);
        u.WriteRow(columns);
        r.WriteRow("sourcedId", "status", "dateLastModified", "userSourcedId", "roleType", "role", "beginDate", "endDate", "orgSourcedId", "userProfileSourcedId");
        var n = 0;
        foreach (var row in users.Rows)
        {
            var orgs = row["orgSourcedIds"].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            u.WriteRow(columns.Select(c => c == "primaryOrgSourcedId" ? orgs.FirstOrDefault() ?? "" : row[c]));
            for (var i = 0; i < orgs.Length; i++)
                r.WriteRow($"role-{++n}", "active", row["dateLastModified"], row["sourcedId"], i == 0 ? "primary" : "secondary", row["role"], "", "", orgs[i], "");
        }
        result["users.csv"] = usersOut.ToString();
        result["roles.csv"] = rolesOut.ToString();
        return result;
    }

    [Fact]
    public async Task A_1_2_package_without_roles_csv_or_of_an_unknown_version_is_refused_whole()
    {
        var v12 = CsvPackage.ReadDirectory(Fixture("1.2"));
        v12.Remove("roles.csv");
        var noRoles = await Preview(_tenant, v12);
        Assert.Equal(["roles.csv: file not found (OneRoster 1.2 lists each user's roles there)"], noRoles.FileErrors);

        var v10 = CsvPackage.ReadDirectory(Fixture("1.1"));
        v10["manifest.csv"] = "propertyName,value\nmanifest.version,1.0\noneroster.version,1.0\n";
        var old = await Preview(_tenant, v10);
        Assert.Equal(["manifest.csv line 3: oneroster.version '1.0' is not supported (this import reads OneRoster 1.1 and 1.2)"], old.FileErrors);

        // 1.2 files under a 1.1 manifest are named for what they are, not only as missing columns.
        var mislabelled = CsvPackage.ReadDirectory(Fixture("1.2"));
        mislabelled["manifest.csv"] = mislabelled["manifest.csv"].Replace("oneroster.version,1.2", "oneroster.version,1.1", StringComparison.Ordinal);
        Assert.Equal(["users.csv line 1: this is OneRoster 1.2 (no 'role' column, a 'primaryOrgSourcedId' column): include roles.csv, and manifest.csv with oneroster.version 1.2"],
            (await Preview(_tenant, mislabelled)).FileErrors);
        Assert.Equal(0, await _app.InTenant(_tenant, (_, db) => db.Students.CountAsync()));
    }

    private const string Orgs = "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\n" +
                                "d1,active,,District,district,,\n" +
                                "s1,active,,Lincoln,school,,d1\n" +
                                "s2,active,,Washington,school,,d1\n";

    private const string UsersHeader = "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password\n";

    [Fact]
    public async Task A_student_listed_under_the_district_first_is_placed_in_their_school()
    {
        var users = UsersHeader +
                    "u1,active,,true,\"d1,s2\",student,,,Ana,Lee,,1,,,,,03,\n" +
                    "u2,active,,true,\"d1,d9\",student,,,Ben,Nowhere,,2,,,,,03,\n";
        var preview = await Preview(_tenant, new Dictionary<string, string> { ["orgs.csv"] = Orgs, ["users.csv"] = users });
        Assert.Equal([new RejectedRow("users.csv", 3, "orgSourcedIds 'd1', 'd9': none is a school in orgs.csv")], preview.Rejected);
        Assert.Equal(1, preview.StudentsToAdd);
        await _app.InTenant(_tenant, (sp, _) => sp.GetRequiredService<OneRosterImporter>().ApplyAsync(preview, Tester));
        Assert.Equal("Washington", await _app.InTenant(_tenant, (_, db) => db.Students.Where(s => s.ExternalId == "u1").Select(s => s.School.Name).SingleAsync()));
    }

    [Fact]
    public async Task Every_row_left_out_is_in_the_report_with_its_reason()
    {
        var users = UsersHeader +
                    "u1,active,,true,s1,student,,,Ana,Lee,,1,,,,,03,\n" +
                    "u2,active,,true,s9,student,,,Ben,Nowhere,,2,,,,,03,\n" +
                    "u3,tobedeleted,,true,s1,student,,,Cal,Gone,,3,,,,,03,\n" +
                    "t1,active,,true,s1,teacher,,,Tess,Teacher,,,,,,,,\n" +
                    "a1,active,,true,d1,administrator,,,Pat,Admin,,,,,,,,\n";
        const string classes = "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds\n" +
                               "c1,active,,Homeroom,03,,,homeroom,,s1,\n" +
                               "c2,active,,Lost,03,,,homeroom,,s7,\n";
        const string enrollments = "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate\n" +
                                   "e1,active,,c1,s1,t1,teacher,true,,\n" +
                                   "e2,active,,c1,s1,u1,student,false,,\n" +
                                   "e3,active,,c1,s1,u2,student,false,,\n" +
                                   "e4,active,,c1,s1,u3,student,false,,\n" +
                                   "e5,active,,c1,s1,u9,student,false,,\n" +
                                   "e6,active,,c2,s7,u1,student,false,,\n" +
                                   "e7,active,,c1,s1,t9,teacher,false,,\n" +
                                   "e8,active,,c1,s1,a1,aide,false,,\n" +
                                   "e9,tobedeleted,,c1,s1,u1,student,false,,\n";
        const string demographics = "sourcedId,status,dateLastModified,birthDate,sex\nu1,active,,2017-01-02,female\nu2,active,,2017-01-03,male\nt1,active,,1980-01-01,female\n";
        var preview = await Preview(_tenant, new Dictionary<string, string>
        {
            ["orgs.csv"] = Orgs, ["users.csv"] = users, ["classes.csv"] = classes, ["enrollments.csv"] = enrollments, ["demographics.csv"] = demographics,
        });
        Assert.Equal(
        [
            new RejectedRow("classes.csv", 3, "schoolSourcedId 's7' is not a school in orgs.csv"),
            new RejectedRow("demographics.csv", 4, "sourcedId 't1' is not a student in users.csv (birth dates are kept for students only)"),
            new RejectedRow("enrollments.csv", 4, "userSourcedId 'u2' was rejected (users.csv line 3)"),
            new RejectedRow("enrollments.csv", 5, "userSourcedId 'u3' is withdrawn (tobedeleted in users.csv)"),
            new RejectedRow("enrollments.csv", 6, "userSourcedId 'u9' is not a student in users.csv"),
            new RejectedRow("enrollments.csv", 7, "classSourcedId 'c2' was rejected (classes.csv line 3)"),
            new RejectedRow("enrollments.csv", 8, "userSourcedId 't9' is not a teacher in users.csv"),
            new RejectedRow("enrollments.csv", 9, "role 'aide' is not imported (students and teachers are)"),
            new RejectedRow("users.csv", 3, "orgSourcedIds 's9' is not a school in orgs.csv"),
            new RejectedRow("users.csv", 6, "role 'administrator' is not imported (students, teachers and guardians are)"),
        ], preview.Rejected.OrderBy(r => r.File, StringComparer.Ordinal).ThenBy(r => r.Line));
        Assert.Equal(1, preview.Enrollments);
    }

    private static byte[] Zip(IReadOnlyDictionary<string, string> files) => RosterUpload.Pack(files);

    private static async Task<string> UploadAsync(HttpClient client, IReadOnlyDictionary<string, string> files)
    {
        var page = await client.GetDocumentAsync("/Roster/Import");
        var token = page.QuerySelector("form[enctype] input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var form = new MultipartFormDataContent { { new StringContent(token), "__RequestVerificationToken" }, { new ByteArrayContent(Zip(files)), "files", "roster.zip" } };
        var response = await client.PostAsync("/Roster/Import?handler=Upload", form);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return response.Location();
    }

    private async Task ApplyAsync(HttpClient admin, string reportUrl) =>
        Assert.Equal(HttpStatusCode.Redirect, (await admin.SubmitFormAsync(reportUrl, [], formSelector: "form[action*='handler=Apply']")).StatusCode);

    [Fact]
    public async Task Every_change_a_roster_import_makes_to_a_child_is_in_their_history_with_who_and_which_upload()
    {
        var admin = await _app.SignedInAsync("admin@oneroster.test");
        var v11 = CsvPackage.ReadDirectory(Fixture("1.1"));
        var first = await UploadAsync(admin, v11);
        await ApplyAsync(admin, first);
        var firstId = int.Parse(first.Split('/').Last(), System.Globalization.CultureInfo.InvariantCulture);

        // Ana moves school, Ben is regraded and renamed, Chloé leaves.
        var changed = new Dictionary<string, string>(v11, StringComparer.OrdinalIgnoreCase)
        {
            ["users.csv"] = v11["users.csv"]
                .Replace("\"d-100,sch-lincoln\",student", "\"d-100,sch-washington\",student", StringComparison.Ordinal)
                .Replace("Ben,Okafor,,300102,,,,gdn-2,02", "Benjamin,Okafor,,300102,,,,gdn-2,03", StringComparison.Ordinal)
                .Replace("stu-3,active", "stu-3,tobedeleted", StringComparison.Ordinal),
        };
        var second = await UploadAsync(admin, changed);
        await ApplyAsync(admin, second);
        var secondId = int.Parse(second.Split('/').Last(), System.Globalization.CultureInfo.InvariantCulture);

        var history = await _app.InTenant(_tenant, (_, db) => db.StudentEvents.AsNoTracking()
            .Join(db.Students, e => e.StudentId, s => s.Id, (e, s) => new { s.ExternalId, e.UserId, e.UserName, e.Action, e.Details, e.Id })
            .OrderBy(e => e.ExternalId).ThenBy(e => e.Id).ToListAsync());
        var adminUser = await _app.InTenant(_tenant, (_, db) => db.Users.SingleAsync(u => u.Email == "admin@oneroster.test"));
        Assert.All(history, e => Assert.Equal(adminUser.Id, e.UserId));
        Assert.Equal(
        [
            ("stu-1", "added by roster import", $"roster upload #{firstId}: Lincoln Elementary, grade 03"),
            ("stu-1", "changed by roster import", $"roster upload #{secondId}: school Lincoln Elementary → Washington Elementary, East Campus"),
            ("stu-2", "added by roster import", $"roster upload #{firstId}: Washington Elementary, East Campus, grade 02"),
            ("stu-2", "changed by roster import", $"roster upload #{secondId}: grade 02 → 03; name Ben Okafor → Benjamin Okafor"),
            ("stu-3", "added by roster import", $"roster upload #{firstId}: Lincoln Elementary, grade 03"),
            ("stu-3", "withdrawn by roster import", $"roster upload #{secondId}: Lincoln Elementary, grade 03"),
        ], history.Select(e => (e.ExternalId!, e.Action, e.Details!)));

        // The student page shows it.
        var stu1 = await _app.InTenant(_tenant, (_, db) => db.Students.Where(s => s.ExternalId == "stu-1").Select(s => s.Id).SingleAsync());
        var page = await admin.GetDocumentAsync($"/Students/{stu1}");
        Assert.Contains($"roster upload #{secondId}: school Lincoln Elementary → Washington Elementary, East Campus", page.QuerySelector("#history")!.ParentElement!.TextContent);

        // A re-import that changes nothing writes nothing to anyone's history.
        var count = history.Count;
        await ApplyAsync(admin, await UploadAsync(admin, changed));
        Assert.Equal(count, await _app.InTenant(_tenant, (_, db) => db.StudentEvents.CountAsync()));
    }

    [Fact]
    public async Task The_preview_names_the_children_whose_withdrawal_leaves_an_active_plan_or_an_open_referral()
    {
        await Import(_tenant, CsvPackage.ReadDirectory(Fixture("1.1")));
        await _app.InTenant(_tenant, async (_, db) =>
        {
            var students = await db.Students.ToDictionaryAsync(s => s.ExternalId!);
            // Ana: an active plan. Ben: a closed plan and a referral in service. Chloé: nothing open (a completed referral).
            var anaPlan = new SuccessPlan { StudentId = students["stu-1"].Id, SchoolYear = 2026, Status = PlanStatus.Active };
            var benPlan = new SuccessPlan { StudentId = students["stu-2"].Id, SchoolYear = 2026, Status = PlanStatus.Closed };
            var chloePlan = new SuccessPlan { StudentId = students["stu-3"].Id, SchoolYear = 2025, Status = PlanStatus.Closed };
            db.Plans.AddRange(anaPlan, benPlan, chloePlan);
            var org = new ProviderOrganization { Name = "Helpers" };
            var service = new Service { Name = "Tutoring", Organization = org };
            db.Services.Add(service);
            await db.SaveChangesAsync();
            foreach (var (plan, status) in new[] { (benPlan, ReferralStatus.InService), (chloePlan, ReferralStatus.Completed) })
            {
                var need = new PlanItem { PlanId = plan.Id, Kind = PlanItemKind.Need, Description = "Reading", Status = NeedStatus.Open };
                db.PlanItems.Add(need);
                await db.SaveChangesAsync();
                db.Referrals.Add(new Referral { StudentId = plan.StudentId, NeedId = need.Id, ServiceId = service.Id, OrganizationId = org.Id, SchoolId = students["stu-1"].SchoolId, Status = status, SentByName = "Coordinator" });
            }
            await db.SaveChangesAsync();
        });
        var v11 = CsvPackage.ReadDirectory(Fixture("1.1"));
        var leaving = new Dictionary<string, string>(v11, StringComparer.OrdinalIgnoreCase)
        {
            ["users.csv"] = v11["users.csv"].Replace("stu-1,active", "stu-1,tobedeleted", StringComparison.Ordinal)
                .Replace("stu-2,active", "stu-2,tobedeleted", StringComparison.Ordinal).Replace("stu-3,active", "stu-3,tobedeleted", StringComparison.Ordinal),
        };
        var preview = await Preview(_tenant, leaving);
        Assert.Equal(3, preview.StudentsToWithdraw);
        Assert.Equal(
        [
            ("Ana Lopez", "Lincoln Elementary", true, 0),
            ("Ben Okafor", "Washington Elementary, East Campus", false, 1),
        ], preview.WithdrawalsWithOpenWork.Select(w => (w.Name, w.School, w.ActivePlan, w.OpenReferrals)));

        var admin = await _app.SignedInAsync("admin@oneroster.test");
        var report = await admin.GetDocumentAsync(await UploadAsync(admin, leaving));
        var rows = report.QuerySelectorAll("table.open-work tbody tr").Select(tr => string.Join("|", tr.QuerySelectorAll("td").Select(td => td.TextContent))).ToList();
        Assert.Equal(["Ana Lopez|Lincoln Elementary|yes|0", "Ben Okafor|Washington Elementary, East Campus|no|1"], rows);
    }

    [Fact]
    public async Task Keys_that_differ_only_by_case_are_one_key_for_the_importer_and_for_the_unique_index()
    {
        await Import(_tenant, new Dictionary<string, string> { ["orgs.csv"] = Orgs, ["users.csv"] = UsersHeader + "u1,active,,true,s1,student,,,Ana,Lee,,1,,,,,03,\n" });

        // The same child and school in another case: an update of the same rows, not new ones.
        var upper = new Dictionary<string, string> { ["orgs.csv"] = Orgs.Replace("s1,active", "S1,active", StringComparison.Ordinal), ["users.csv"] = UsersHeader + "U1,active,,true,S1,student,,,Ana,Lee,,1,,,,,04,\n" };
        var preview = await Preview(_tenant, upper);
        Assert.Equal((0, 0, 1), (preview.SchoolsToAdd, preview.StudentsToAdd, preview.StudentsToUpdate));
        Assert.Equal(new RosterImportResult(0, 0, 0, 1, 0), await Import(_tenant, upper));
        Assert.Equal(("u1", "04"), await _app.InTenant(_tenant, (_, db) => db.Students.Select(s => new ValueTuple<string, string>(s.ExternalId!, s.Grade!)).SingleAsync()));

        // Within one file, the second spelling is the same sourcedId given twice.
        var twice = await Preview(_tenant, new Dictionary<string, string> { ["orgs.csv"] = Orgs, ["users.csv"] = UsersHeader + "u7,active,,true,s1,student,,,A,B,,,,,,,03,\nU7,active,,true,s1,student,,,C,D,,,,,,,03,\n" });
        Assert.Equal([new RejectedRow("users.csv", 3, "sourcedId 'U7' appears twice")], twice.Rejected);

        // The database agrees: the unique indexes refuse a second row that differs only by case.
        await _app.InTenant(_tenant, async (_, db) =>
        {
            db.Classes.Add(new SchoolClass { Title = "Lower", ExternalId = "c-1", SchoolId = await db.Schools.Select(s => s.Id).FirstAsync() });
            db.ProviderOrganizations.Add(new ProviderOrganization { Name = "Lower", HsdsId = "org-a" });
            await db.SaveChangesAsync();
        });
        Func<AppDbContext, Task>[] sameKeyInAnotherCase =
        [
            async db => db.Schools.Add(new School { Name = "Upper", ExternalId = (await db.Schools.Select(s => s.ExternalId).FirstAsync())!.ToUpperInvariant() }),
            async db => db.Classes.Add(new SchoolClass { Title = "Upper", ExternalId = "C-1", SchoolId = await db.Schools.Select(s => s.Id).FirstAsync() }),
            async db => db.Students.Add(new Student { GivenName = "X", FamilyName = "Y", ExternalId = "U1", SchoolId = await db.Schools.Select(s => s.Id).FirstAsync() }),
            db => { db.ProviderOrganizations.Add(new ProviderOrganization { Name = "Upper", HsdsId = "ORG-A" }); return Task.CompletedTask; },
        ];
        foreach (var add in sameKeyInAnotherCase)
            await Assert.ThrowsAsync<DbUpdateException>(() => _app.InTenant(_tenant, async (_, db) => { await add(db); await db.SaveChangesAsync(); }));
        await Assert.ThrowsAsync<DbUpdateException>(() => _app.CreateTenantAsync("ONEROSTER"));
    }

    [Fact]
    public void Key_columns_are_case_insensitive_in_both_models_and_in_the_sql_server_script()
    {
        foreach (var provider in new[] { DatabaseProvider.Sqlite, DatabaseProvider.SqlServer })
        {
            using var db = AppDbContext.Create(DesignTimeDbContextFactory.Options(provider), new SuccessPlans.Tenancy.CurrentTenant());
            var expected = provider == DatabaseProvider.SqlServer ? AppDbContext.SqlServerCaseInsensitive : AppDbContext.SqliteCaseInsensitive;
            foreach (var (entity, property) in new[] { (typeof(Student), "ExternalId"), (typeof(School), "ExternalId"), (typeof(SchoolClass), "ExternalId"), (typeof(Tenant), "Slug"), (typeof(ProviderOrganization), "HsdsId"), (typeof(Service), "HsdsId") })
                Assert.Equal((provider, entity.Name, property, expected), (provider, entity.Name, property, Microsoft.EntityFrameworkCore.Infrastructure.AccessorExtensions.GetService<Microsoft.EntityFrameworkCore.Metadata.IDesignTimeModel>(db).Model.FindEntityType(entity)!.FindProperty(property)!.GetCollation()));
        }
        var script = File.ReadAllText(Path.Combine(Model.ModelTests.RepositoryRoot(), "infra", "sql", "successplans-sqlserver.sql"));
        Assert.Contains("ALTER TABLE [Students] ALTER COLUMN [ExternalId] nvarchar(128) COLLATE Latin1_General_100_CI_AS NULL;", script);
        Assert.Contains("ALTER TABLE [Tenants] ALTER COLUMN [Slug] nvarchar(64) COLLATE Latin1_General_100_CI_AS NOT NULL;", script);
    }
}
