using System.Net;
using System.Text.RegularExpressions;
using Hangfire;
using Hangfire.Storage;
using Microsoft.EntityFrameworkCore;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Jobs;
using SuccessPlans.Features.Notifications;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Web;

/// <summary>What a tenant's Admin does: invite users and set their scope, manage schools and settings, see job runs.</summary>
public class AdminTests : IAsyncLifetime
{
    private readonly AppFactory _app = new();
    private int _tenant, _other, _school, _schoolOfOther, _org;

    public async Task InitializeAsync()
    {
        _tenant = (await _app.CreateTenantAsync("admin-a")).Id;
        _other = (await _app.CreateTenantAsync("admin-b")).Id;
        _school = (await _app.CreateSchoolAsync(_tenant, "Lincoln School")).Id;
        _schoolOfOther = (await _app.CreateSchoolAsync(_other, "Other School")).Id;
        _org = await _app.InTenant(_tenant, async (_, db) =>
        {
            var org = new ProviderOrganization { Name = "Tutors United" };
            db.ProviderOrganizations.Add(org);
            await db.SaveChangesAsync();
            return org.Id;
        });
        await _app.CreateUserAsync(_tenant, "admin@admin-a.test", UserRole.Admin);
        await _app.CreateUserAsync(_other, "admin@admin-b.test", UserRole.Admin);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task An_invited_coordinator_gets_an_email_chooses_a_password_and_sees_their_school()
    {
        var admin = await _app.SignedInAsync("admin@admin-a.test");
        var invited = await admin.SubmitFormAsync("/Users/Invite",
            new() { ["Input.Email"] = "new.coordinator@admin-a.test", ["Input.DisplayName"] = "Nia Coordinator", ["Input.Role"] = "Coordinator" },
            check: [$"Input.SchoolIds={_school}"]);
        Assert.Equal("/Users", invited.Location());
        Assert.Contains("invited", await (await admin.GetAsync("/Users")).Content.ReadAsStringAsync());

        Assert.Equal(1, await _app.Services.GetRequiredService<OutboxDispatcher>().SendPendingAsync(CancellationToken.None));
        var eml = File.ReadAllText(Assert.Single(Directory.GetFiles(_app.PickupDirectory, "*.eml")));
        Assert.Contains("new.coordinator@admin-a.test", eml);
        var link = Regex.Match(eml, @"https://localhost(/Account/AcceptInvite\?user=\d+&code=\S+)").Groups[1].Value;
        Assert.NotEmpty(link);

        var newcomer = _app.Browser();
        var weak = await newcomer.SubmitFormAsync(link, new() { ["Input.Password"] = "short", ["Input.Confirm"] = "short" });
        Assert.Equal(HttpStatusCode.OK, weak.StatusCode);
        Assert.Contains("at least 12 characters", await weak.Content.ReadAsStringAsync());

        var accepted = await newcomer.SubmitFormAsync(link, new() { ["Input.Password"] = "Brand-New-Pass-42!", ["Input.Confirm"] = "Brand-New-Pass-42!" });
        Assert.Equal("/", accepted.Location());
        Assert.Equal("/Home/Coordinator", (await newcomer.GetAsync("/")).Location());
        Assert.Contains("Lincoln School", await (await newcomer.GetAsync("/Home/Coordinator")).Content.ReadAsStringAsync());

        // The link works once.
        var again = await _app.Browser().GetStringAsync(link);
        Assert.Contains("expired or was already used", again);
        Assert.DoesNotContain("new.coordinator@admin-a.test", again);
    }

    [Fact]
    public async Task Inviting_checks_the_role_and_scope_and_writes_nothing_when_wrong()
    {
        var admin = await _app.SignedInAsync("admin@admin-a.test");
        var noOrg = await admin.SubmitFormAsync("/Users/Invite",
            new() { ["Input.Email"] = "p@admin-a.test", ["Input.DisplayName"] = "Pat", ["Input.Role"] = "Provider" });
        Assert.Contains("A provider user needs a provider organization.", await noOrg.Content.ReadAsStringAsync());

        var page = await admin.GetDocumentAsync("/Users/Invite");
        var token = page.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var foreignSchool = await admin.PostAsync("/Users/Invite", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["Input.Email"] = "c@admin-a.test", ["Input.DisplayName"] = "Cy",
            ["Input.Role"] = "Coordinator", ["Input.SchoolIds"] = _schoolOfOther.ToString(),
        }));
        Assert.Contains("One of the chosen schools does not exist.", await foreignSchool.Content.ReadAsStringAsync());

        var operatorRole = await admin.PostAsync("/Users/Invite", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["Input.Email"] = "o@admin-a.test", ["Input.DisplayName"] = "Op", ["Input.Role"] = "Operator",
        }));
        Assert.Contains("Choose a role", await operatorRole.Content.ReadAsStringAsync());

        var taken = await admin.SubmitFormAsync("/Users/Invite",
            new() { ["Input.Email"] = "admin@admin-b.test", ["Input.DisplayName"] = "Dup", ["Input.Role"] = "Cabinet" });
        var html = await taken.Content.ReadAsStringAsync();
        Assert.Contains("This email address cannot be used for a new account.", html);
        Assert.DoesNotContain("admin-b", WebUtility.HtmlDecode(html).Replace("admin@admin-b.test", ""));

        Assert.Equal(1, await _app.InTenant(_tenant, (_, db) => db.Users.CountAsync()));
        Assert.Equal(0, await _app.InTenant(_tenant, (_, db) => db.Notifications.CountAsync()));
    }

    [Fact]
    public async Task Changing_a_users_role_and_scope()
    {
        var user = await _app.CreateUserAsync(_tenant, "someone@admin-a.test", UserRole.Cabinet);
        var admin = await _app.SignedInAsync("admin@admin-a.test");
        var saved = await admin.SubmitFormAsync($"/Users/Edit/{user.Id}",
            new() { ["Input.Role"] = "Provider", ["Input.ProviderOrganizationId"] = _org.ToString() });
        Assert.Equal("/Users", saved.Location());
        var stored = await _app.InTenant(_tenant, (_, db) => db.Users.SingleAsync(u => u.Id == user.Id));
        Assert.Equal(UserRole.Provider, stored.Role);
        Assert.Equal(_org, stored.ProviderOrganizationId);

        var provider = await _app.SignedInAsync("someone@admin-a.test");
        Assert.Contains("Tutors United", await (await provider.GetAsync("/Home/Provider")).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Two_admins_editing_the_same_user_the_second_is_told()
    {
        var user = await _app.CreateUserAsync(_tenant, "contested@admin-a.test", UserRole.Cabinet);
        var admin = await _app.SignedInAsync("admin@admin-a.test");
        var stalePage = await admin.GetDocumentAsync($"/Users/Edit/{user.Id}");
        Assert.Equal("/Users", (await admin.SubmitFormAsync($"/Users/Edit/{user.Id}", new() { ["Input.DisplayName"] = "First Edit" })).Location());

        var token = stalePage.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var stamp = stalePage.QuerySelector("input[name='Input.ConcurrencyStamp']")!.GetAttribute("value")!;
        var second = await admin.PostAsync($"/Users/Edit/{user.Id}", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["Input.ConcurrencyStamp"] = stamp, ["Input.DisplayName"] = "Second Edit",
            ["Input.Role"] = "Cabinet", ["Input.Active"] = "true",
        }));
        Assert.True(second.StatusCode == HttpStatusCode.OK, $"status {(int)second.StatusCode} {second.Headers.Location} stamp {stamp}");
        var html = WebUtility.HtmlDecode(await second.Content.ReadAsStringAsync());
        Assert.Contains("Someone else changed this user", html);
        Assert.Contains("value=\"First Edit\"", html);
        Assert.Equal("First Edit", await _app.InTenant(_tenant, (_, db) => db.Users.Where(u => u.Id == user.Id).Select(u => u.DisplayName).SingleAsync()));
    }

    [Fact]
    public async Task Two_admins_editing_the_same_school_the_second_is_told()
    {
        var admin = await _app.SignedInAsync("admin@admin-a.test");
        var stalePage = await admin.GetDocumentAsync($"/Schools/Edit/{_school}");
        Assert.Equal("/Schools", (await admin.SubmitFormAsync($"/Schools/Edit/{_school}", new() { ["Input.Name"] = "Lincoln Elementary" })).Location());

        var token = stalePage.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var version = stalePage.QuerySelector("input[name='Input.Version']")!.GetAttribute("value")!;
        var second = await admin.PostAsync($"/Schools/Edit/{_school}", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["Input.Version"] = version, ["Input.Name"] = "Lincoln Academy",
        }));
        var html = WebUtility.HtmlDecode(await second.Content.ReadAsStringAsync());
        Assert.Contains("Someone else changed this school", html);
        Assert.Contains("value=\"Lincoln Elementary\"", html);
    }

    [Fact]
    public async Task A_school_needs_a_name_and_a_unique_oneroster_id()
    {
        var admin = await _app.SignedInAsync("admin@admin-a.test");
        var empty = await admin.SubmitFormAsync("/Schools/Edit", new() { ["Input.Name"] = "" });
        Assert.Contains("The Name field is required.", await empty.Content.ReadAsStringAsync());
        var externalId = await _app.InTenant(_tenant, (_, db) => db.Schools.Where(s => s.Id == _school).Select(s => s.ExternalId!).SingleAsync());
        var duplicate = await admin.SubmitFormAsync("/Schools/Edit", new() { ["Input.Name"] = "Twin", ["Input.ExternalId"] = externalId });
        Assert.Contains("Another school already has this OneRoster id.", await duplicate.Content.ReadAsStringAsync());
        // The same id in another tenant is no conflict.
        var other = await _app.SignedInAsync("admin@admin-b.test");
        Assert.Equal("/Schools", (await other.SubmitFormAsync("/Schools/Edit", new() { ["Input.Name"] = "Twin", ["Input.ExternalId"] = externalId })).Location());

        // Another Admin saves a school with the same id at the same moment: theirs is written before this form's check and
        // committed before its save. The unique index refuses the second, and the form says why instead of an error page.
        await using (var secondAdmin = await SqliteLocks.HoldWriteLockAsync(Path.Combine(_app.Root, "app.db")))
        {
            await using (var insert = secondAdmin.Connection.CreateCommand())
            {
                insert.CommandText = """INSERT INTO "Schools" ("TenantId", "Name", "ExternalId", "Version") VALUES ($tenant, 'First', 'race-1', $version)""";
                insert.Parameters.AddWithValue("$tenant", _tenant);
                insert.Parameters.AddWithValue("$version", Guid.NewGuid().ToString().ToUpperInvariant());
                await insert.ExecuteNonQueryAsync();
            }
            var submitting = admin.SubmitFormAsync("/Schools/Edit", new() { ["Input.Name"] = "Second", ["Input.ExternalId"] = "race-1" });
            await Task.Delay(TimeSpan.FromSeconds(2));
            await secondAdmin.ReleaseAsync();
            var raced = await submitting;
            Assert.Equal(HttpStatusCode.OK, raced.StatusCode);
            Assert.Contains("Another school already has this OneRoster id.", await raced.Content.ReadAsStringAsync());
        }
        Assert.Equal(["First"], await _app.InTenant(_tenant, (_, db) => db.Schools.Where(s => s.ExternalId == "race-1").Select(s => s.Name).ToListAsync()));
    }

    [Fact]
    public async Task Settings_change_the_time_zone_of_the_tenants_recurring_jobs()
    {
        var admin = await _app.SignedInAsync("admin@admin-a.test");
        var bad = await admin.SubmitFormAsync("/Settings", new() { ["Input.NightlyHour"] = "25" });
        Assert.Contains("must be between 0 and 23", await bad.Content.ReadAsStringAsync());

        var saved = await admin.SubmitFormAsync("/Settings", new() { ["Input.TimeZoneId"] = "America/Los_Angeles", ["Input.NightlyHour"] = "5" });
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);

        using var connection = JobStorage.Current.GetConnection();
        var job = connection.GetRecurringJobs().Single(j => j.Id == $"tenant-{_tenant}:notification-retention");
        Assert.Equal("America/Los_Angeles", job.TimeZoneId);
        Assert.Equal("0 4 * * *", job.Cron);
        Assert.Contains(connection.GetRecurringJobs(), j => j.Id == OutboxDispatcher.RecurringJobId);
    }

    [Fact]
    public async Task The_admin_sees_their_own_tenants_job_runs_and_can_run_a_job_now()
    {
        var runner = _app.Services.GetRequiredService<TenantJobRunner>();
        await runner.RunAsync(TenantJobCatalog.NotificationRetention.Name, _tenant, "schedule", CancellationToken.None);
        await runner.RunAsync(TenantJobCatalog.NotificationRetention.Name, _other, "someone@admin-b.test", CancellationToken.None);

        var admin = await _app.SignedInAsync("admin@admin-a.test");
        var page = await admin.GetDocumentAsync("/Jobs");
        var rows = page.QuerySelectorAll("main table:nth-of-type(2) tbody tr");
        var run = Assert.Single(rows);
        Assert.Contains("Purged 0 email(s)", run.TextContent);
        Assert.DoesNotContain("admin-b", page.Body!.TextContent);

        var before = JobStorage.Current.GetMonitoringApi().EnqueuedCount("default");
        var ran = await admin.SubmitFormAsync("/Jobs", [], buttonSelector: "button");
        Assert.Equal(HttpStatusCode.Redirect, ran.StatusCode);
        Assert.Equal(before + 1, JobStorage.Current.GetMonitoringApi().EnqueuedCount("default"));
    }

    [Fact]
    public async Task The_retention_job_purges_old_sent_email_of_its_tenant_only()
    {
        foreach (var tenant in new[] { _tenant, _other })
            await _app.InTenant(tenant, async (sp, db) =>
            {
                sp.GetRequiredService<Outbox>().Enqueue("test", "x@x.test", null, "Old", "body");
                await db.SaveChangesAsync();
            });
        await _app.Services.GetRequiredService<OutboxDispatcher>().SendPendingAsync(CancellationToken.None);
        _app.Time.Advance(TimeSpan.FromDays(91));

        await _app.Services.GetRequiredService<TenantJobRunner>().RunAsync(TenantJobCatalog.NotificationRetention.Name, _tenant, "schedule", CancellationToken.None);
        Assert.Equal(0, await _app.InTenant(_tenant, (_, db) => db.Notifications.CountAsync()));
        Assert.Equal(1, await _app.InTenant(_other, (_, db) => db.Notifications.CountAsync()));
        var run = await _app.InTenant(_tenant, (_, db) => db.JobRuns.SingleAsync());
        Assert.Equal(JobRunStatus.Succeeded, run.Status);
        Assert.Equal("Purged 1 email(s) older than 90 days.", run.Summary);
    }
}
