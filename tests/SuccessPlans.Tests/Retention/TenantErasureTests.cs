using System.IO.Compression;
using System.Net;
using System.Text.Json;
using Hangfire;
using Hangfire.Storage;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Jobs;
using SuccessPlans.Features.Notifications;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Referrals;
using SuccessPlans.Features.Retention;
using SuccessPlans.Features.Roster;
using SuccessPlans.Features.Seeding;
using SuccessPlans.Features.Students;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Retention;

/// <summary>
/// The end of a contract: the operator exports the demo tenant (OneRoster, HSDS, plans and referrals) and erases it.
/// Afterwards no row of any table refers to it, by tenant, user or student, and the other tenant has every row it had.
/// </summary>
public class TenantErasureTests : IAsyncLifetime
{
    private readonly AppFactory _app = new(new DateTimeOffset(2026, 11, 20, 15, 0, 0, TimeSpan.Zero));
    private int _demo, _keeper;

    public async Task InitializeAsync()
    {
        _app.Settings["Demo:Enabled"] = "true";
        _app.Settings["Demo:SeedDataDirectory"] = Path.Combine(Model.ModelTests.RepositoryRoot(), "seed-data", "demo");
        _ = _app.Server;
        _demo = await _app.InTenant(null, (_, db) => db.Tenants.Where(t => t.Slug == DemoSeeder.TenantSlug).Select(t => t.Id).SingleAsync());
        await _app.CreateUserAsync(null, "ops@platform.test", UserRole.Operator);

        _keeper = (await _app.CreateTenantAsync("keeper")).Id;
        var school = (await _app.CreateSchoolAsync(_keeper, "Keeper Elementary")).Id;
        var (organization, service) = await _app.InTenant(_keeper, async (_, db) =>
        {
            var s = new Service { Name = "Tutoring", Organization = new ProviderOrganization { Name = "Keepers" }, Domain = Domain.Academic };
            db.Services.Add(s);
            await db.SaveChangesAsync();
            return (s.OrganizationId, s.Id);
        });
        await _app.CreateUserAsync(_keeper, "coord@keeper.test", UserRole.Coordinator, [school]);
        await _app.CreateUserAsync(_keeper, "provider@keeper.test", UserRole.Provider, organizationId: organization);
        await _app.ServeAsync(_keeper, school, Domain.Academic, service, 3, [new DateOnly(2026, 11, 2)], "Kee");
        await FillEveryTableAsync(_keeper);
        await FillEveryTableAsync(_demo);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    /// <summary>What the demo seed does not make: job runs, flags, digests, emails, uploads, notes, messages, keys, erasures and Identity's rows.</summary>
    private async Task FillEveryTableAsync(int tenant)
    {
        await _app.InTenant(null, (sp, _) => sp.GetRequiredService<TenantJobRunner>().RunAsync(TenantJobCatalog.NightlyCheck.Name, tenant, "test", CancellationToken.None));
        await _app.InTenant(tenant, async (sp, db) =>
        {
            var now = _app.Time.GetUtcNow().UtcDateTime;
            var referral = await db.Referrals.Include(r => r.Student).Where(r => r.Status == ReferralStatus.Accepted || r.Status == ReferralStatus.InService).OrderBy(r => r.Id).FirstAsync();
            var actor = new Actor(null, "Tester");
            await sp.GetRequiredService<ReferralService>().PostMessageAsync(referral, MessageSide.School, "Any news?", actor);
            await sp.GetRequiredService<CaseNoteService>().AddAsync(referral.Student, "A note.", actor);
            var user = await db.Users.OrderBy(u => u.Id).FirstAsync();
            db.ReferralUpdates.Add(new ReferralUpdate { UserId = user.Id, ReferralId = referral.Id, Kind = ReferralUpdateKind.Message, Text = "An update.", At = now });
            db.RosterUploads.Add(new RosterUpload { UploadedAt = now, UploadedByName = "Admin", FileNames = "roster.zip", Package = [1] });
            db.DirectoryUploads.Add(new DirectoryUpload { UploadedAt = now, UploadedByName = "Admin", FileNames = "hsds.zip", Package = [1] });
            db.ApiKeys.Add(new ApiKey { OrganizationId = referral.OrganizationId, Name = "key", Prefix = $"p{tenant}", SecretHash = "x", CreatedAt = now, CreatedByName = "Admin" });
            db.ServiceTerms.Add(new ServiceTerm { ServiceId = referral.ServiceId, TermHsdsId = $"term-{tenant}", Name = "Tutoring" });
            db.Consents.Add(new Consent
            {
                StudentId = referral.StudentId, GuardianName = "Guardian", GivenOn = new DateOnly(2026, 9, 1), RecordedByName = "test",
                Organizations = [new ConsentOrganization { OrganizationId = referral.OrganizationId }],
            });
            db.Notifications.Add(new Notification { Kind = "test", RecipientEmail = "a@b.test", Subject = "s", BodyText = "b", CreatedAt = now, NextAttemptAt = now });
            await db.SaveChangesAsync();
            var users = sp.GetRequiredService<UserManager<AppUser>>();
            Assert.True((await users.AddClaimAsync(user, new System.Security.Claims.Claim("test", "claim"))).Succeeded);
            Assert.True((await users.AddLoginAsync(user, new UserLoginInfo("TestProvider", $"key-{tenant}", "Test"))).Succeeded);
            Assert.True((await users.SetAuthenticationTokenAsync(user, "TestProvider", "token", "secret")).Succeeded);
            var erasable = await db.Students.Where(s => s.Status == StudentStatus.Active).OrderByDescending(s => s.Id).FirstAsync();
            await sp.GetRequiredService<StudentErasure>().EraseAsync(erasable.Id, $"{erasable.Id}", actor, "admin@test");
        });
    }

    private string DatabaseFile => Path.Combine(_app.Root, "app.db");

    private async Task<SqliteConnection> OpenAsync()
    {
        var connection = new SqliteConnection($"Data Source={DatabaseFile}");
        await connection.OpenAsync();
        return connection;
    }

    private async Task<Dictionary<string, long>> RowsOfAsync(int tenant)
    {
        await using var connection = await OpenAsync();
        var rows = new Dictionary<string, long>();
        foreach (var table in await TableSchema.TablesWithColumnAsync(connection, "TenantId"))
            rows[table] = await TableSchema.CountAsync(connection, $"SELECT COUNT(*) FROM \"{table}\" WHERE TenantId = {tenant}");
        // Identity's rows have no tenant of their own: they are the tenant's through its users.
        foreach (var table in (await TableSchema.TablesWithColumnAsync(connection, "UserId")).Where(t => t.StartsWith("AspNetUser", StringComparison.Ordinal)))
            rows[$"{table} (by user)"] = await TableSchema.CountAsync(connection, $"SELECT COUNT(*) FROM \"{table}\" WHERE UserId IN (SELECT Id FROM AspNetUsers WHERE TenantId = {tenant})");
        return rows;
    }

    [Fact]
    public async Task The_operator_exports_a_tenant_then_erases_it_and_no_row_of_it_remains_in_any_table()
    {
        var (users, students) = await _app.InTenant(null, async (_, db) => (
            await db.Users.Where(u => u.TenantId == _demo).Select(u => u.Id).ToListAsync(),
            await db.Students.IgnoreQueryFilters().Where(s => s.TenantId == _demo).Select(s => s.Id).ToListAsync()));
        var demoBefore = await RowsOfAsync(_demo);
        // Every table that can hold a tenant's rows holds some of the demo's, so the check below covers them all.
        Assert.All(demoBefore, t => Assert.True(t.Value > 0, $"{t.Key} has no row of the demo tenant"));
        var keeperBefore = await RowsOfAsync(_keeper);
        var jobs = _app.Services.GetRequiredService<JobStorage>();
        Assert.Contains(jobs.GetConnection().GetRecurringJobs(), j => j.Id.StartsWith($"tenant-{_demo}:", StringComparison.Ordinal));

        var ops = await _app.SignedInAsync("ops@platform.test");
        Assert.NotNull((await ops.GetDocumentAsync("/Tenants")).QuerySelector($"a[href='/Tenants/Close?id={_demo}']"));
        var export = await ops.GetAsync($"/Tenants/Close?id={_demo}&handler=Export");
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Equal("application/zip", export.Content.Headers.ContentType!.MediaType);
        using (var zip = new ZipArchive(await export.Content.ReadAsStreamAsync()))
        {
            string Read(string name) => new StreamReader(zip.GetEntry(name)!.Open()).ReadToEnd();
            var roster = new[] { "manifest.csv", "orgs.csv", "users.csv", "demographics.csv", "classes.csv", "enrollments.csv" }.ToDictionary(f => f, f => Read($"oneroster/{f}"));
            Assert.Contains("oneroster/users.csv", zip.Entries.Select(e => e.FullName));
            Assert.Contains("hsds/services.csv", zip.Entries.Select(e => e.FullName));
            Assert.Contains("hsds/organizations.csv", zip.Entries.Select(e => e.FullName));
            using var json = JsonDocument.Parse(Read("plans-and-referrals.json"));
            var referrals = await _app.InTenant(_demo, (_, db) => db.Referrals.CountAsync());
            Assert.Equal(referrals, json.RootElement.GetProperty("referrals").GetArrayLength());
            Assert.True(json.RootElement.GetProperty("plans").GetArrayLength() > 0);
            // The roster reads back: imported into an empty tenant it would add every child the demo still holds.
            var fresh = (await _app.CreateTenantAsync("fresh")).Id;
            var preview = await _app.InTenant(fresh, (sp, _) => sp.GetRequiredService<OneRosterImporter>().PreviewAsync(roster));
            Assert.Empty(preview.FileErrors);
            Assert.Empty(preview.Rejected);
            var (active, classes) = await _app.InTenant(_demo, async (_, db) => (await db.Students.CountAsync(s => s.Status == StudentStatus.Active), await db.Classes.CountAsync()));
            Assert.Equal(active, preview.StudentsToAdd);
            Assert.Equal(classes, preview.ClassesToAdd);
        }

        var refused = await ops.SubmitFormAsync($"/Tenants/Close?id={_demo}", new() { ["Confirmation"] = "keeper" });
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("Type the tenant's short name", (await Forms.ParseAsync(refused)).QuerySelector("#Confirmation-error")!.TextContent);
        Assert.Equal(demoBefore, await RowsOfAsync(_demo));

        // A view of the demo's waits in the access log's staging file (SQLite) when the tenant goes: it goes with it.
        var staging = _app.Services.GetRequiredService<SuccessPlans.Features.Audit.AccessLogStaging>();
        staging.MoveInterval = TimeSpan.FromHours(1);
        await _app.Services.GetRequiredService<SuccessPlans.Features.Audit.AccessLogWriter>().WriteAsync(_demo, new SuccessPlans.Features.Audit.AccessLogEntry
        {
            At = _app.Time.GetUtcNow().UtcDateTime, UserId = users[0], ActorName = "Staged Viewer", Role = "Coordinator",
            Action = SuccessPlans.Features.Audit.AccessAction.ViewStudent, StudentId = students[0], Path = "GET /staged",
        });

        var erased = await ops.SubmitFormAsync($"/Tenants/Close?id={_demo}", new() { ["Confirmation"] = DemoSeeder.TenantSlug });
        Assert.Equal(HttpStatusCode.Redirect, erased.StatusCode);

        await using (var connection = await OpenAsync())
        {
            var userList = string.Join(",", users);
            var studentList = string.Join(",", students);
            foreach (var table in await TableSchema.TablesAsync(connection))
            {
                var columns = await TableSchema.ColumnsAsync(connection, table);
                var left = new List<string>();
                // The record of the erasure itself is kept: who, when, the tenant's number (docs/retention.md).
                if (columns.Contains("TenantId"))
                    left.Add($"TenantId = {_demo}" + (table == "ErasureRecords" ? " AND Kind <> 'Tenant'" : ""));
                if (columns.Contains("UserId")) left.Add($"UserId IN ({userList})");
                if (columns.Contains("StudentId")) left.Add($"StudentId IN ({studentList})");
                if (table is "AspNetUsers") left.Add($"Id IN ({userList})");
                if (table is "Tenants") left.Add($"Id = {_demo}");
                foreach (var condition in left)
                    Assert.True(0 == await TableSchema.CountAsync(connection, $"SELECT COUNT(*) FROM \"{table}\" WHERE {condition}"), $"{table} still has rows where {condition}");
            }
            Assert.Equal(1, await TableSchema.CountAsync(connection, $"SELECT COUNT(*) FROM ErasureRecords WHERE TenantId = {_demo} AND Kind = 'Tenant' AND SubjectId = {_demo}"));
        }
        await using (var stagingFile = new SqliteConnection($"Data Source={staging.FilePath};Pooling=False"))
        {
            await stagingFile.OpenAsync();
            Assert.Equal(0, await TableSchema.CountAsync(stagingFile, $"SELECT COUNT(*) FROM \"StagedAccessLogEntries\" WHERE \"TenantId\" = {_demo}"));
        }
        // Nor its bytes: zeroed in the staging file's pages (secure_delete), and its write-ahead log checkpointed.
        foreach (var file in new[] { staging.FilePath!, staging.FilePath + "-wal" }.Where(File.Exists))
            Assert.False(File.ReadAllBytes(file).AsSpan().IndexOf("Staged Viewer"u8) >= 0, $"{Path.GetFileName(file)} still holds the erased tenant's viewer");
        Assert.Equal(keeperBefore, await RowsOfAsync(_keeper));
        Assert.DoesNotContain(jobs.GetConnection().GetRecurringJobs(), j => j.Id.StartsWith($"tenant-{_demo}:", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.NotFound, (await ops.GetAsync($"/Tenants/Close?id={_demo}")).StatusCode);
        // The erased tenant's people can no longer sign in.
        var signIn = await _app.Browser().SubmitFormAsync("/Account/Login", new() { ["Input.Email"] = "admin@demo.test", ["Input.Password"] = DemoSeeder.Password });
        Assert.NotEqual(HttpStatusCode.Redirect, signIn.StatusCode);
    }

    [Fact]
    public async Task Only_the_operator_reaches_the_end_of_contract_page()
    {
        foreach (var email in new[] { "admin@demo.test", "coord@keeper.test" })
        {
            var client = await _app.SignedInAsync(email, email.EndsWith("demo.test") ? DemoSeeder.Password : AppFactory.Password);
            foreach (var url in new[] { $"/Tenants/Close?id={_demo}", $"/Tenants/Close?id={_demo}&handler=Export" })
                Assert.NotEqual(HttpStatusCode.OK, (await client.GetAsync(url)).StatusCode);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await (await _app.SignedInAsync("ops@platform.test")).GetAsync("/Tenants/Close?id=999999")).StatusCode);
    }
}
