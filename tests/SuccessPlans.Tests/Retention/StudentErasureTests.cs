using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using SuccessPlans.Features.Cabinet;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Jobs;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Referrals;
using SuccessPlans.Features.Retention;
using SuccessPlans.Features.Roster;
using SuccessPlans.Features.Schools;
using SuccessPlans.Features.Students;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Retention;

/// <summary>
/// An Admin erases one child on request: the child's name is nowhere in the database file afterwards, the cabinet's
/// counts do not move, the act is recorded, and another tenant (with a child of the same name) is untouched.
/// </summary>
public class StudentErasureTests : IAsyncLifetime
{
    private const string Given = "Quillonia", Family = "Zephyrmoor";
    private readonly AppFactory _app = new(new DateTimeOffset(2026, 11, 20, 15, 0, 0, TimeSpan.Zero));
    private int _tenant, _school, _service, _organization;

    public async Task InitializeAsync()
    {
        _tenant = (await _app.CreateTenantAsync("erase")).Id;
        _school = (await _app.CreateSchoolAsync(_tenant, "North Elementary")).Id;
        (_organization, _service) = await ServiceAsync(_tenant);
        await _app.CreateUserAsync(_tenant, "admin@erase.test", UserRole.Admin);
        await _app.CreateUserAsync(_tenant, "coord@erase.test", UserRole.Coordinator, [_school]);
        await _app.CreateUserAsync(_tenant, "provider@erase.test", UserRole.Provider, organizationId: _organization);
        // Enough other children that the cabinet's figures are shown, not suppressed.
        await _app.ServeAsync(_tenant, _school, Domain.Academic, _service, 12, [new DateOnly(2026, 10, 5), new DateOnly(2026, 11, 2)], "Ann");
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private Task<(int Organization, int Service)> ServiceAsync(int tenant) => _app.InTenant(tenant, async (_, db) =>
    {
        var service = new Service { Name = "Tutoring", Organization = new ProviderOrganization { Name = "Helpers", Email = "helpers@erase.test" }, Domain = Domain.Academic, Tier = ServiceTier.EarlyIntervention };
        db.Services.Add(service);
        await db.SaveChangesAsync();
        return (service.OrganizationId, service.Id);
    });

    /// <summary>The child, with everything that can carry their name: plan, referral, messages, notes, history, class, consent, emails.</summary>
    private async Task<int> ChildWithEverythingAsync(int tenant, int school, int serviceId, string coordinatorEmail, string providerEmail)
    {
        var (coordinator, provider) = await _app.InTenant(tenant, async (_, db) =>
            (await db.Users.SingleAsync(u => u.Email == coordinatorEmail), await db.Users.SingleAsync(u => u.Email == providerEmail)));
        var coord = new Actor(coordinator.Id, coordinator.DisplayName);
        var studentId = await _app.InTenant(tenant, async (sp, db) =>
        {
            var student = new Student
            {
                GivenName = Given, FamilyName = Family, ExternalId = $"stu-{Family}", LocalId = "L-77", SchoolId = school, Grade = "05",
                GuardianName = $"Ottoline {Family}", GuardianEmail = $"ottoline@{Family}.test", GuardianPhone = "555-0101", BirthDate = new DateOnly(2015, 3, 4),
            };
            db.Students.Add(student);
            var schoolClass = new SchoolClass { SchoolId = school, ExternalId = $"class-{tenant}", Title = "Grade 5 homeroom" };
            db.Classes.Add(schoolClass);
            await db.SaveChangesAsync();
            db.ClassEnrollments.Add(new ClassEnrollment { ClassId = schoolClass.Id, StudentId = student.Id });
            db.Consents.Add(new Consent { StudentId = student.Id, GuardianName = $"Ottoline {Family}", GivenOn = new DateOnly(2026, 9, 1), SharesWithAnyPartner = true, RecordedByName = "Coordinator" });
            await db.SaveChangesAsync();
            await sp.GetRequiredService<PlanService>().RecordReviewAsync(student, 2,
            [
                new NewPlanItem(Domain.Academic, PlanItemKind.Need, $"{Given} needs help with fractions", $"{Given} passes the unit test"),
                new NewPlanItem(Domain.Family, PlanItemKind.Need, $"The {Family} family needs a food pantry"),
                new NewPlanItem(Domain.Health, PlanItemKind.Strength, $"{Given} loves to swim"),
            ], coord, null);
            var needs = await db.PlanItems.Where(i => i.Plan.StudentId == student.Id && i.Kind == PlanItemKind.Need).OrderBy(i => i.Id).ToListAsync();
            // The second need has waited long enough for the nightly check to flag it (and name the child in a digest).
            await db.PlanItems.Where(i => i.Id == needs[1].Id).ExecuteUpdateAsync(s => s.SetProperty(i => i.IdentifiedOn, new DateOnly(2026, 9, 1)));
            await sp.GetRequiredService<CaseNoteService>().AddAsync(student, $"Spoke with {Given}'s mother, Ottoline {Family}.", coord);
            var referrals = sp.GetRequiredService<ReferralService>();
            var referral = await referrals.SendAsync(student, needs[0].Id, serviceId, coord, false, null);
            await referrals.PostMessageAsync(referral, MessageSide.School, $"{Given} is free after school on Tuesdays.", coord);
            return student.Id;
        });
        await _app.InTenant(tenant, async (sp, db) =>
        {
            var referrals = sp.GetRequiredService<ReferralService>();
            var referral = await db.Referrals.SingleAsync(r => r.StudentId == studentId);
            var by = new Actor(provider.Id, provider.DisplayName);
            await referrals.AcceptAsync(referral, by, referral.Version);
            await referrals.RecordDeliveryAsync(referral, new DateOnly(2026, 11, 3), 1, DeliveryUnit.Sessions, $"{Given} worked hard.", by, referral.Version);
            await referrals.RecordDeliveryAsync(referral, new DateOnly(2026, 11, 10), 1, DeliveryUnit.Sessions, null, by, referral.Version);
            await referrals.PostMessageAsync(referral, MessageSide.Provider, $"{Given} {Family} came twice.", by);
            db.RosterUploads.Add(new RosterUpload
            {
                UploadedAt = _app.Time.GetUtcNow().UtcDateTime, UploadedByName = "Admin", FileNames = "roster.zip",
                Package = RosterUpload.Pack(new Dictionary<string, string> { ["users.csv"] = $"sourcedId,givenName,familyName\nstu-{Family},{Given},{Family}" }),
            });
            await db.SaveChangesAsync();
        });
        // The nightly check's digest and the referral-updates email both name the child to their coordinator.
        await _app.InTenant(null, (sp, _) => sp.GetRequiredService<TenantJobRunner>().RunAsync(TenantJobCatalog.NightlyCheck.Name, tenant, "test", CancellationToken.None));
        _app.Time.Advance(TimeSpan.FromMinutes(10));
        await _app.Services.GetRequiredService<ReferralUpdatesMailer>().SendAsync(CancellationToken.None);
        return studentId;
    }

    private string DatabaseFile => Path.Combine(_app.Root, "app.db");

    /// <summary>How often the text occurs in the raw bytes of the database file and its write-ahead log.</summary>
    private int OccurrencesInDatabaseFiles(string text)
    {
        var needle = Encoding.UTF8.GetBytes(text);
        var hits = 0;
        foreach (var path in new[] { DatabaseFile, DatabaseFile + "-wal" }.Where(File.Exists))
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray().AsSpan();
            for (var at = bytes.IndexOf(needle); at >= 0; at = bytes[(at + 1)..].IndexOf(needle) is var next && next >= 0 ? at + 1 + next : -1)
                hits++;
        }
        return hits;
    }

    private Task<string> DashboardAsync(int tenant) => _app.InTenant(tenant, async (sp, _) =>
        JsonSerializer.Serialize(await sp.GetRequiredService<CabinetReport>().BuildAsync(new Period(new DateOnly(2026, 8, 1), new DateOnly(2027, 7, 31)))));

    [Fact]
    public async Task An_erased_child_leaves_no_name_in_the_database_file_and_the_cabinets_counts_do_not_move()
    {
        var child = await ChildWithEverythingAsync(_tenant, _school, _service, "coord@erase.test", "provider@erase.test");
        var emails = await _app.InTenant(_tenant, (_, db) => db.Notifications.Where(n => n.BodyText.Contains(Family)).Select(n => n.Kind).ToListAsync());
        Assert.Contains("digest", emails);
        Assert.Contains("referral-updates", emails);
        await _app.InTenant(null, (_, db) => db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE);"));
        Assert.True(OccurrencesInDatabaseFiles(Family) > 0, "the search finds the name before the erasure"); // the check itself can fail
        var before = await DashboardAsync(_tenant);

        var admin = await _app.SignedInAsync("admin@erase.test");
        var page = await admin.GetDocumentAsync($"/Students/{child}");
        Assert.NotNull(page.QuerySelector($"a[href='/Students/{child}/Erase']"));
        var erased = await admin.SubmitFormAsync($"/Students/{child}/Erase", new() { ["Confirmation"] = $" {Given.ToLowerInvariant()}  {Family} " });
        Assert.Equal(HttpStatusCode.Redirect, erased.StatusCode);

        Assert.Equal(0, OccurrencesInDatabaseFiles(Family));
        Assert.Equal(0, OccurrencesInDatabaseFiles(Given));
        Assert.Equal(0, OccurrencesInDatabaseFiles("Ottoline"));
        Assert.Equal(before, await DashboardAsync(_tenant));

        await _app.InTenant(_tenant, async (_, db) =>
        {
            var placeholder = await db.Students.SingleAsync(s => s.Id == child);
            Assert.Equal(StudentStatus.Erased, placeholder.Status);
            Assert.Null(placeholder.ExternalId);
            Assert.Null(placeholder.BirthDate);
            Assert.Null(placeholder.GuardianEmail);
            var referral = await db.Referrals.SingleAsync(r => r.StudentId == child);
            Assert.Equal(ReferralStatus.Withdrawn, referral.Status);
            Assert.Null(referral.SharedChildName);
            Assert.Equal(2, await db.ServiceDeliveries.CountAsync(d => d.ReferralId == referral.Id));
            Assert.Equal(0, await db.ReferralMessages.CountAsync(m => m.ReferralId == referral.Id));
            Assert.Equal(0, await db.CaseNotes.CountAsync(n => n.StudentId == child));
            Assert.Equal(0, await db.Consents.CountAsync(c => c.StudentId == child));
            Assert.Equal(0, await db.StudentEvents.CountAsync(e => e.StudentId == child));
            Assert.Equal(0, await db.Flags.CountAsync(f => f.StudentId == child));
            Assert.Equal(0, await db.ClassEnrollments.CountAsync(e => e.StudentId == child));
            Assert.Equal(0, await db.Disclosures.CountAsync(d => d.StudentId == child));
            // Only the referred need stays (the cabinet counts by it), without its words.
            Assert.Equal(["(erased)"], await db.PlanItems.Where(i => i.Plan.StudentId == child).Select(i => i.Description).ToListAsync());
            Assert.Null(await db.RosterUploads.Select(u => u.Package).SingleAsync());
            var record = await db.ErasureRecords.SingleAsync();
            Assert.Equal((ErasureKind.Student, child, "admin@erase.test"), (record.Kind, record.SubjectId, record.ByEmail));
            await _app.FlushAccessLogAsync();
            Assert.Equal(1, await db.AccessLog.CountAsync(e => e.StudentId == child && e.Action == SuccessPlans.Features.Audit.AccessAction.Erasure));
        });

        // The record is gone from every page: the student page, the caseload, the erase page itself.
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/Students/{child}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/Students/{child}/Erase")).StatusCode);
        Assert.DoesNotContain(StudentErasure.PlaceholderGivenName, (await admin.GetDocumentAsync("/Students?withdrawn=true")).QuerySelector("main")!.TextContent);
    }

    [Fact]
    public async Task Nothing_is_erased_without_the_typed_name_or_id_nor_by_a_coordinator_or_another_tenants_Admin()
    {
        var child = await ChildWithEverythingAsync(_tenant, _school, _service, "coord@erase.test", "provider@erase.test");
        var admin = await _app.SignedInAsync("admin@erase.test");
        foreach (var wrong in new[] { "", Given, "Someone Else", "999999" })
        {
            var refused = await admin.SubmitFormAsync($"/Students/{child}/Erase", new() { ["Confirmation"] = wrong });
            Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
            Assert.Contains("Type the child's full name", (await Forms.ParseAsync(refused)).QuerySelector("#Confirmation-error")!.TextContent);
        }
        var coordinator = await _app.SignedInAsync("coord@erase.test");
        Assert.NotEqual(HttpStatusCode.OK, (await coordinator.GetAsync($"/Students/{child}/Erase")).StatusCode);

        var other = (await _app.CreateTenantAsync("neighbour")).Id;
        await _app.CreateUserAsync(other, "admin@neighbour.test", UserRole.Admin);
        var neighbour = await _app.SignedInAsync("admin@neighbour.test");
        Assert.Equal(HttpStatusCode.NotFound, (await neighbour.GetAsync($"/Students/{child}/Erase")).StatusCode);
        // Its form posted straight at the child: still nothing.
        var token = (await neighbour.GetDocumentAsync("/Settings")).QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var post = await neighbour.PostAsync($"/Students/{child}/Erase", new FormUrlEncodedContent(new Dictionary<string, string> { ["Confirmation"] = $"{child}", ["__RequestVerificationToken"] = token }));
        Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);

        await _app.InTenant(_tenant, async (_, db) =>
        {
            Assert.Equal(Family, await db.Students.Where(s => s.Id == child).Select(s => s.FamilyName).SingleAsync());
            Assert.False(await db.ErasureRecords.AnyAsync());
        });
    }

    [Fact]
    public async Task Erasing_a_child_of_one_tenant_touches_nothing_of_another_even_a_child_of_the_same_name()
    {
        var other = (await _app.CreateTenantAsync("twin")).Id;
        var otherSchool = (await _app.CreateSchoolAsync(other, "Twin Elementary")).Id;
        var (otherOrg, otherService) = await ServiceAsync(other);
        await _app.CreateUserAsync(other, "coord@twin.test", UserRole.Coordinator, [otherSchool]);
        await _app.CreateUserAsync(other, "provider@twin.test", UserRole.Provider, organizationId: otherOrg);
        await _app.ServeAsync(other, otherSchool, Domain.Academic, otherService, 11, [new DateOnly(2026, 10, 6)], "Bo");
        var twin = await ChildWithEverythingAsync(other, otherSchool, otherService, "coord@twin.test", "provider@twin.test");
        var child = await ChildWithEverythingAsync(_tenant, _school, _service, "coord@erase.test", "provider@erase.test");
        var rowsBefore = await TenantRowsAsync(other);
        var dashboardBefore = await DashboardAsync(other);

        var admin = await _app.SignedInAsync("admin@erase.test");
        Assert.Equal(HttpStatusCode.Redirect, (await admin.SubmitFormAsync($"/Students/{child}/Erase", new() { ["Confirmation"] = $"{child}" })).StatusCode);

        Assert.Equal(rowsBefore, await TenantRowsAsync(other));
        Assert.Equal(dashboardBefore, await DashboardAsync(other));
        await _app.InTenant(other, async (_, db) =>
        {
            Assert.Equal(Family, await db.Students.Where(s => s.Id == twin).Select(s => s.FamilyName).SingleAsync());
            Assert.True(await db.Notifications.AnyAsync(n => n.BodyText.Contains(Family)));
            Assert.NotNull(await db.RosterUploads.Select(u => u.Package).SingleAsync());
        });
        Assert.Equal(StudentStatus.Erased, await _app.InTenant(_tenant, (_, db) => db.Students.Where(s => s.Id == child).Select(s => s.Status).SingleAsync()));
    }

    [Fact]
    public async Task A_tenants_scope_cannot_record_or_read_another_tenants_erasure()
    {
        var other = (await _app.CreateTenantAsync("elsewhere")).Id;
        await _app.InTenant(null, async (_, db) =>
        {
            db.ErasureRecords.Add(new ErasureRecord { TenantId = other, Kind = ErasureKind.Tenant, SubjectId = other, ByEmail = "ops@platform.test" });
            await db.SaveChangesAsync();
        });
        await _app.InTenant(_tenant, async (_, db) =>
        {
            Assert.Empty(await db.ErasureRecords.ToListAsync());
            db.ErasureRecords.Add(new ErasureRecord { TenantId = other, Kind = ErasureKind.Student, SubjectId = 1, ByEmail = "admin@erase.test" });
            await Assert.ThrowsAsync<SuccessPlans.Tenancy.TenantViolationException>(() => db.SaveChangesAsync());
        });
        Assert.Equal(1, await _app.InTenant(null, (_, db) => db.ErasureRecords.CountAsync()));
    }

    /// <summary>Every table's rows of the tenant, as "table: count", read from the database's own catalogue.</summary>
    private async Task<List<string>> TenantRowsAsync(int tenant)
    {
        await using var connection = new SqliteConnection($"Data Source={DatabaseFile}");
        await connection.OpenAsync();
        var result = new List<string>();
        foreach (var table in await TableSchema.TablesWithColumnAsync(connection, "TenantId"))
            result.Add($"{table}: {await TableSchema.CountAsync(connection, $"SELECT COUNT(*) FROM \"{table}\" WHERE TenantId = {tenant}")}");
        return result;
    }
}

/// <summary>Tables and columns read from SQLite's own catalogue, so a table added later is checked too.</summary>
internal static class TableSchema
{
    public static async Task<List<string>> TablesAsync(SqliteConnection connection)
    {
        var tables = new List<string>();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        return tables;
    }

    public static async Task<List<string>> ColumnsAsync(SqliteConnection connection, string table)
    {
        var columns = new List<string>();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT name FROM pragma_table_info('{table}')";
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) columns.Add(reader.GetString(0));
        return columns;
    }

    public static async Task<List<string>> TablesWithColumnAsync(SqliteConnection connection, string column)
    {
        var result = new List<string>();
        foreach (var table in await TablesAsync(connection))
            if ((await ColumnsAsync(connection, table)).Contains(column))
                result.Add(table);
        return result;
    }

    public static async Task<long> CountAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
