using System.Net.Http.Json;
using System.Net;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using SuccessPlans.Data;
using SuccessPlans.Features.Audit;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Jobs;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Referrals;
using SuccessPlans.Features.Students;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;
using static SuccessPlans.Tests.Infrastructure.SqliteLocks;

namespace SuccessPlans.Tests.Web;

/// <summary>The access log: every view and export of a child's data writes one entry; only the tenant's Admin reads it.</summary>
public class AccessLogTests : IAsyncLifetime
{
    private readonly AppFactory _app = new(new DateTimeOffset(2026, 11, 20, 15, 0, 0, TimeSpan.Zero));
    private int _tenantA, _tenantB, _school, _child0, _child1, _referral0, _referral1, _alice, _bob, _lone;

    public async Task InitializeAsync()
    {
        _tenantA = (await _app.CreateTenantAsync("audit-a")).Id;
        _tenantB = (await _app.CreateTenantAsync("audit-b")).Id;
        _school = (await _app.CreateSchoolAsync(_tenantA, "Audit Elementary")).Id;
        var (organization, service) = await _app.InTenant(_tenantA, async (_, db) =>
        {
            var s = new Service { Name = "Tutoring", Organization = new ProviderOrganization { Name = "Helpers United" }, Domain = Domain.Academic };
            db.Services.Add(s);
            await db.SaveChangesAsync();
            return (s.OrganizationId, s.Id);
        });
        // Two children, each referred (a disclosure to Helpers United), accepted and served once.
        await _app.ServeAsync(_tenantA, _school, Domain.Academic, service, 2, [new DateOnly(2026, 11, 2)], "Kid");
        (_child0, _child1, _referral0, _referral1) = await _app.InTenant(_tenantA, async (_, db) =>
        {
            var r = await db.Referrals.OrderBy(x => x.StudentId).Select(x => new { x.Id, x.StudentId }).ToListAsync();
            return (r[0].StudentId, r[1].StudentId, r[0].Id, r[1].Id);
        });
        // A third child with a need open for a month and no referral: the nightly check flags it and mails the digest.
        _lone = await _app.InTenant(_tenantA, async (_, db) =>
        {
            var student = new Student { GivenName = "Lone", FamilyName = "Flagged", SchoolId = _school, Grade = "05" };
            var plan = new SuccessPlan { Student = student, SchoolYear = 2026, Tier = 2, Status = PlanStatus.Active };
            plan.Items.Add(new PlanItem { Domain = Domain.Health, Kind = PlanItemKind.Need, Description = "Glasses", Status = NeedStatus.Open, IdentifiedOn = new DateOnly(2026, 10, 1) });
            db.Plans.Add(plan);
            await db.SaveChangesAsync();
            return student.Id;
        });
        await _app.CreateUserAsync(_tenantA, "admin@audit-a.test", UserRole.Admin);
        _alice = (await _app.CreateUserAsync(_tenantA, "alice@audit-a.test", UserRole.Coordinator, [_school])).Id;
        _bob = (await _app.CreateUserAsync(_tenantA, "bob@audit-a.test", UserRole.Coordinator, [_school])).Id;
        await _app.CreateUserAsync(_tenantA, "provider@audit-a.test", UserRole.Provider, organizationId: organization);
        await _app.CreateUserAsync(_tenantA, "cabinet@audit-a.test", UserRole.Cabinet);
        await _app.CreateUserAsync(_tenantB, "admin@audit-b.test", UserRole.Admin);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    // Both read the table itself, so both first move what SQLite's staging file holds, as the app's own reads do.
    private async Task<List<AccessLogEntry>> EntriesAsync(int tenant, long after = 0)
    {
        await _app.FlushAccessLogAsync();
        return await _app.InTenant(tenant, (_, db) => db.AccessLog.AsNoTracking().Where(e => e.Id > after).OrderBy(e => e.Id).ToListAsync());
    }

    private async Task<long> LastIdAsync()
    {
        await _app.FlushAccessLogAsync();
        return await _app.InTenant(null, async (_, db) =>
            await db.Database.SqlQueryRaw<long>("SELECT COALESCE(MAX(\"Id\"), 0) AS \"Value\" FROM \"AccessLogEntries\"").SingleAsync());
    }

    [Fact]
    public async Task A_coordinator_opening_a_student_page_writes_one_entry_that_the_admin_finds_and_exports()
    {
        var alice = await _app.SignedInAsync("alice@audit-a.test");
        var before = await LastIdAsync();
        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync($"/Students/{_child0}")).StatusCode);

        var entry = Assert.Single(await EntriesAsync(_tenantA, before));
        Assert.Equal((AccessAction.ViewStudent, _child0, _alice, "Coordinator", "alice"), (entry.Action, entry.StudentId, entry.UserId, entry.Role, entry.ActorName));
        Assert.Equal($"GET /Students/{_child0}", entry.Path);
        Assert.Equal(_app.Time.GetUtcNow().UtcDateTime, entry.At);
        Assert.NotNull(entry.PlanId);

        var admin = await _app.SignedInAsync("admin@audit-a.test");
        var filtered = $"user={_alice}&child=Kid00&what=ViewStudent&from=2026-11-20&to=2026-11-20";
        var found = Assert.Single((await admin.GetDocumentAsync($"/Audit?{filtered}")).QuerySelectorAll("main table tbody tr"));
        Assert.Contains("opened the student page", found.TextContent);
        Assert.Contains("alice", found.TextContent);
        Assert.Equal($"/Audit/Students/{_child0}", found.QuerySelector("a")!.GetAttribute("href"));
        Assert.Equal("Kid00 ChildnameKid00", found.QuerySelector("a")!.TextContent);
        // Another day, or another child, finds nothing.
        Assert.Empty((await admin.GetDocumentAsync($"/Audit?user={_alice}&from=2026-11-21")).QuerySelectorAll("main table tbody tr"));
        Assert.Empty((await admin.GetDocumentAsync($"/Audit?user={_alice}&child=Kid01&what=ViewStudent")).QuerySelectorAll("main table tbody tr"));

        var beforeExport = await LastIdAsync();
        var export = await admin.GetAsync($"/Audit?handler=Export&{filtered}");
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Equal("text/csv", export.Content.Headers.ContentType?.MediaType);
        var lines = (await export.Content.ReadAsStringAsync()).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("id,at_utc,at_local,user_id,user,role,", lines[0]);
        var row = Assert.Single(lines[1..]);
        Assert.StartsWith($"{entry.Id},2026-11-20T15:00:00Z,2026-11-20 10:00:00,{_alice},alice,Coordinator,,ViewStudent,{_child0},", row);
        Assert.DoesNotContain("ChildnameKid00", row);
        // The export is itself logged, once, as the Admin's.
        var logged = Assert.Single(await EntriesAsync(_tenantA, beforeExport));
        Assert.Equal((AccessAction.ExportCsv, "Admin", "GET /Audit"), (logged.Action, logged.Role, logged.Path));
    }

    [Fact]
    public async Task Each_view_of_a_childs_data_writes_exactly_one_entry()
    {
        var alice = await _app.SignedInAsync("alice@audit-a.test");
        var provider = await _app.SignedInAsync("provider@audit-a.test");
        var cases = new (HttpClient Client, string Url, AccessAction Action, int Student, int? Referral, string Role)[]
        {
            (alice, $"/Students/{_child1}", AccessAction.ViewStudent, _child1, null, "Coordinator"),
            (alice, $"/Review/Walk?school={_school}&grade=05&student={_child1}", AccessAction.ViewPlan, _child1, null, "Coordinator"),
            (alice, $"/api/v1/students/{_child1}", AccessAction.ApiRead, _child1, null, "Coordinator"),
            (alice, $"/api/v1/students/{_child1}/plan", AccessAction.ApiRead, _child1, null, "Coordinator"),
            (provider, $"/Provider/Referrals/{_referral1}", AccessAction.ViewReferral, _child1, _referral1, "Provider"),
            (provider, $"/api/v1/referrals/{_referral1}", AccessAction.ApiRead, _child1, _referral1, "Provider"),
            (provider, $"/api/v1/referrals/{_referral1}/messages", AccessAction.ApiRead, _child1, _referral1, "Provider"),
        };
        var organization = await _app.InTenant(_tenantA, (_, db) => db.ProviderOrganizations.Select(o => o.Id).SingleAsync());
        foreach (var (client, url, action, student, referral, role) in cases)
        {
            var before = await LastIdAsync();
            var response = await client.GetAsync(url);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {response.StatusCode}");
            var entry = Assert.Single(await EntriesAsync(_tenantA, before));
            Assert.Equal((action, student, referral, role), (entry.Action, entry.StudentId, entry.ReferralId, entry.Role));
            Assert.Equal(role == "Provider" ? organization : null, entry.OrganizationId);
        }

        // What the caller may not see, or a list of names, writes nothing; nor does a refused request.
        foreach (var (client, url) in new[] { (provider, "/api/v1/referrals/999999"), (alice, "/api/v1/students/999999"), (alice, "/Students/999999") })
        {
            var before = await LastIdAsync();
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(url)).StatusCode);
            Assert.Empty(await EntriesAsync(_tenantA, before));
        }
        // The referral list carries each referral as shared: one entry per item, for the item's child.
        var beforeList = await LastIdAsync();
        var listed = await provider.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/v1/referrals");
        var ids = listed.EnumerateArray().Select(r => r.GetProperty("id").GetInt32()).ToList();
        Assert.Contains(_referral1, ids);
        var items = await _app.InTenant(_tenantA, (_, db) => db.Referrals.Where(r => ids.Contains(r.Id)).OrderBy(r => r.Id).Select(r => new { r.StudentId, r.Id }).ToListAsync());
        var listEntries = await EntriesAsync(_tenantA, beforeList);
        Assert.Equal(items.Select(i => (i.StudentId, i.Id)), listEntries.Select(e => (e.StudentId!.Value, e.ReferralId!.Value)).OrderBy(x => x.Item2));
        Assert.All(listEntries, e => Assert.Equal((AccessAction.ApiRead, "Provider", "GET /api/v1/referrals"), (e.Action, e.Role, e.Path)));

        foreach (var url in new[] { "/api/v1/students", "/Students" })
        {
            var before = await LastIdAsync();
            Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync(url)).StatusCode);
            Assert.Empty(await EntriesAsync(_tenantA, before));
        }
    }

    /// <summary>
    /// A GET of the student page, the review screen or Find a service reads the child untracked by id and checks the
    /// user's schools on the row (StudentAccess.FindToShowAsync, issue 15): a child of another school, of another
    /// tenant, or erased answers 404 as a missing one, and logs nothing.
    /// </summary>
    [Fact]
    public async Task The_pages_that_show_a_child_find_no_child_outside_the_users_schools_and_log_nothing()
    {
        (int Child, int Need) WithNeed(SuccessPlans.Data.AppDbContext db, int school, StudentStatus status, string name)
        {
            var student = new Student { GivenName = name, FamilyName = "Hidden", SchoolId = school, Grade = "05", Status = status };
            var plan = new SuccessPlan { Student = student, SchoolYear = 2026, Tier = 2, Status = PlanStatus.Active };
            plan.Items.Add(new PlanItem { Domain = Domain.Health, Kind = PlanItemKind.Need, Description = "Dentist", Status = NeedStatus.Open });
            db.Plans.Add(plan);
            db.SaveChanges();
            return (student.Id, plan.Items[0].Id);
        }
        var otherSchool = (await _app.CreateSchoolAsync(_tenantA, "Audit Middle")).Id;
        var schoolOfB = (await _app.CreateSchoolAsync(_tenantB, "Audit Elsewhere")).Id;
        var elsewhere = await _app.InTenant(_tenantA, (_, db) => Task.FromResult(WithNeed(db, otherSchool, StudentStatus.Active, "Othello")));
        var erased = await _app.InTenant(_tenantA, (_, db) => Task.FromResult(WithNeed(db, _school, StudentStatus.Erased, "Erasmo")));
        var ofB = await _app.InTenant(_tenantB, (_, db) => Task.FromResult(WithNeed(db, schoolOfB, StudentStatus.Active, "Bianca")));
        var loneNeed = await _app.InTenant(_tenantA, (_, db) => db.PlanItems.Where(i => i.Plan.StudentId == _lone).Select(i => i.Id).SingleAsync());
        var alice = await _app.SignedInAsync("alice@audit-a.test");
        var adminOfB = await _app.SignedInAsync("admin@audit-b.test");

        // The same pages for the user's own child: found, the view logged once.
        foreach (var url in new[] { $"/Students/{_lone}", $"/Students/{_lone}/Needs/{loneNeed}/Refer", $"/Review/Walk?school={_school}&grade=05&student={_lone}" })
            Assert.True((await alice.GetAsync(url)).StatusCode == HttpStatusCode.OK, url);

        var before = await LastIdAsync();
        foreach (var (client, url) in new[]
                 {
                     (alice, $"/Students/{elsewhere.Child}"), (alice, $"/Students/{elsewhere.Child}/Needs/{elsewhere.Need}/Refer"),
                     (alice, $"/Review/Walk?school={otherSchool}&grade=05&student={elsewhere.Child}"),
                     (alice, $"/Students/{erased.Child}"), (alice, $"/Students/{erased.Child}/Needs/{erased.Need}/Refer"),
                     (alice, $"/Students/{ofB.Child}"), (alice, $"/Students/{ofB.Child}/Needs/{ofB.Need}/Refer"),
                     (alice, $"/Review/Walk?school={schoolOfB}&grade=05&student={ofB.Child}"),
                     (adminOfB, $"/Students/{_lone}"), (adminOfB, $"/Students/{_lone}/Needs/{loneNeed}/Refer"),
                 })
        {
            var response = await client.GetAsync(url);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{url}: {response.StatusCode}");
            var body = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain("Hidden", body);
            Assert.DoesNotContain("Dentist", body);
        }
        Assert.Empty(await EntriesAsync(_tenantA, before));
        Assert.Empty(await EntriesAsync(_tenantB, before));
    }

    [Fact]
    public async Task The_nightly_digest_logs_one_entry_per_child_it_names_for_each_recipient()
    {
        var before = await LastIdAsync();
        await _app.Services.GetRequiredService<TenantJobRunner>().RunAsync(TenantJobCatalog.NightlyCheck.Name, _tenantA, "test", CancellationToken.None);
        var digests = await _app.InTenant(_tenantA, (_, db) => db.Notifications.Where(n => n.Kind == "digest").Select(n => n.BodyText).ToListAsync());
        Assert.Equal(2, digests.Count);
        Assert.All(digests, d => Assert.Contains("Lone Flagged", d));
        var entries = (await EntriesAsync(_tenantA, before)).Where(e => e.Action == AccessAction.DigestEmail).ToList();
        Assert.Equal([_alice, _bob], entries.Select(e => e.UserId!.Value).Order());
        Assert.All(entries, e => Assert.Equal((_lone, "Coordinator"), (e.StudentId!.Value, e.Role)));
    }

    [Fact]
    public async Task The_referral_updates_email_logs_the_child_it_names_for_a_school_user_only()
    {
        // Alice sent the referral of child 1; the provider writes about it, and the school answers.
        await _app.InTenant(_tenantA, async (sp, db) =>
        {
            var referral = await db.Referrals.SingleAsync(r => r.Id == _referral1);
            referral.SentByUserId = _alice;
            await db.SaveChangesAsync();
            var referrals = sp.GetRequiredService<SuccessPlans.Features.Referrals.ReferralService>();
            await referrals.PostMessageAsync(referral, SuccessPlans.Features.Referrals.MessageSide.Provider, "We called the family.", new Actor(null, "Helpers"));
            await referrals.PostMessageAsync(referral, SuccessPlans.Features.Referrals.MessageSide.School, "Thank you.", new Actor(_alice, "alice"));
        });
        var before = await LastIdAsync();
        _app.Time.Advance(TimeSpan.FromMinutes(6));
        // Two emails: Alice's names the child; the provider's never does, so it logs nothing.
        Assert.Equal(2, await _app.Services.GetRequiredService<SuccessPlans.Features.Referrals.ReferralUpdatesMailer>().SendAsync(CancellationToken.None));
        var bodies = await _app.InTenant(_tenantA, (_, db) => db.Notifications.Where(n => n.Kind == "referral-updates").ToDictionaryAsync(n => n.RecipientEmail, n => n.BodyText));
        Assert.Contains("Kid01 ChildnameKid01", bodies["alice@audit-a.test"]);
        Assert.DoesNotContain("Kid01", bodies["provider@audit-a.test"]);
        var entry = Assert.Single(await EntriesAsync(_tenantA, before));
        Assert.Equal((AccessAction.DigestEmail, _child1, _alice, "Coordinator", "referral updates email"), (entry.Action, entry.StudentId, entry.UserId, entry.Role, entry.Path));
    }

    [Theory]
    [InlineData("alice@audit-a.test")]
    [InlineData("cabinet@audit-a.test")]
    [InlineData("provider@audit-a.test")]
    public async Task Only_the_admin_reaches_the_audit_pages(string email)
    {
        var client = await _app.SignedInAsync(email);
        var before = await LastIdAsync();
        foreach (var url in new[] { "/Audit", "/Audit?handler=Export", $"/Audit/Students/{_child0}" })
        {
            var response = await client.GetAsync(url);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("https://localhost/Account/AccessDenied", response.Location());
        }
        Assert.Empty(await EntriesAsync(_tenantA, before));
    }

    [Fact]
    public async Task Another_tenants_admin_sees_nothing_of_the_log()
    {
        var alice = await _app.SignedInAsync("alice@audit-a.test");
        await alice.GetAsync($"/Students/{_child0}");
        var b = await _app.SignedInAsync("admin@audit-b.test");
        var page = await (await b.GetAsync("/Audit")).Content.ReadAsStringAsync();
        Assert.Contains("No entries.", page);
        Assert.DoesNotContain("alice", page);
        Assert.DoesNotContain("Kid0", page);
        Assert.Contains("No entries.", await (await b.GetAsync($"/Audit?child={_child0}")).Content.ReadAsStringAsync());
        var csv = (await (await b.GetAsync("/Audit?handler=Export")).Content.ReadAsStringAsync()).TrimStart('\uFEFF');
        Assert.Single(csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries));
        // A's child is not found, exactly as a child that does not exist.
        Assert.Equal(HttpStatusCode.NotFound, (await b.GetAsync($"/Audit/Students/{_child0}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await b.GetAsync("/Audit/Students/999999")).StatusCode);
        // B's own log holds only its own export.
        Assert.All(await EntriesAsync(_tenantB), e => Assert.Equal(AccessAction.ExportCsv, e.Action));
    }

    [Fact]
    public async Task An_entry_is_never_changed_but_can_be_erased()
    {
        var id = await _app.InTenant(_tenantA, async (sp, db) =>
        {
            await sp.GetRequiredService<AccessLog>().AppendAsync(new AccessActor(null, "test", "System", null, null), AccessAction.Erasure, 424242, "test");
            await _app.FlushAccessLogAsync();
            return await db.AccessLog.Where(e => e.StudentId == 424242).Select(e => e.Id).SingleAsync();
        });
        // Through the model: refused before any SQL is sent.
        await _app.InTenant(_tenantA, async (_, db) =>
        {
            var entry = await db.AccessLog.SingleAsync(e => e.Id == id);
            entry.ActorName = "someone else";
            await Assert.ThrowsAsync<AppDbContext.AccessLogAppendOnlyException>(() => db.SaveChangesAsync());
            db.ChangeTracker.Clear();
            db.AccessLog.Remove(await db.AccessLog.SingleAsync(e => e.Id == id));
            await Assert.ThrowsAsync<AppDbContext.AccessLogAppendOnlyException>(() => db.SaveChangesAsync());
        });
        // Around the model: the database's trigger refuses the UPDATE.
        await _app.InTenant(_tenantA, async (_, db) =>
        {
            var e = await Assert.ThrowsAsync<SqliteException>(() => db.AccessLog.Where(x => x.Id == id).ExecuteUpdateAsync(s => s.SetProperty(x => x.ActorName, "someone else")));
            Assert.Contains("append-only", e.Message);
            await Assert.ThrowsAsync<SqliteException>(() => db.Database.ExecuteSqlRawAsync("UPDATE \"AccessLogEntries\" SET \"StudentId\" = 1"));
            Assert.Equal("test", await db.AccessLog.Where(x => x.Id == id).Select(x => x.ActorName).SingleAsync());
            // Retention and tenant erasure delete rows set-based: no trigger stands in their way.
            Assert.Equal(1, await db.AccessLog.Where(x => x.Id == id).ExecuteDeleteAsync());
        });
    }

    [Fact]
    public async Task The_guardian_page_lists_the_views_and_disclosures_of_that_child_only()
    {
        var alice = await _app.SignedInAsync("alice@audit-a.test");
        var bob = await _app.SignedInAsync("bob@audit-a.test");
        await alice.GetAsync($"/Students/{_child0}");
        await bob.GetAsync($"/Students/{_child1}");
        var admin = await _app.SignedInAsync("admin@audit-a.test");
        var document = await admin.GetDocumentAsync($"/Audit/Students/{_child0}?from=2026-11-01&to=2026-11-30");
        var text = document.Body!.TextContent;
        Assert.Contains("Who has seen or received the record of Kid00 ChildnameKid00", text);
        var views = document.QuerySelectorAll("table")[0].QuerySelectorAll("tbody tr").Select(r => r.TextContent).ToList();
        Assert.Contains(views, v => v.Contains("alice") && v.Contains("school coordinator") && v.Contains("opened the student page"));
        Assert.DoesNotContain(views, v => v.Contains("bob"));
        var disclosures = document.QuerySelectorAll("table")[1].QuerySelectorAll("tbody tr").Select(r => r.TextContent).ToList();
        var disclosure = Assert.Single(disclosures);
        Assert.Contains("Helpers United", disclosure);
        Assert.Contains("with the guardian's consent", disclosure);
        // A period before anything happened lists nothing; preparing the report is itself logged for that child.
        var empty = (await admin.GetDocumentAsync($"/Audit/Students/{_child0}?from=2026-01-01&to=2026-01-31")).Body!.TextContent;
        Assert.Contains("Nobody opened or was sent this record in this period.", empty);
        Assert.Contains("The record was not shared with any organization in this period.", empty);
        Assert.Contains(await EntriesAsync(_tenantA), e => e.Action == AccessAction.ViewAccessReport && e.StudentId == _child0);
        // The student page links the Admin to it; the coordinator gets no such link.
        Assert.Contains($"href=\"/Audit/Students/{_child0}\"", await (await admin.GetAsync($"/Students/{_child0}")).Content.ReadAsStringAsync());
        Assert.DoesNotContain("/Audit/Students/", await (await alice.GetAsync($"/Students/{_child0}")).Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("from=0001-01-01")]
    [InlineData("to=9999-12-31")]
    [InlineData("from=2026-11-30&to=2026-11-01")]
    public async Task Impossible_dates_are_refused_with_a_message_not_an_error(string dates)
    {
        var admin = await _app.SignedInAsync("admin@audit-a.test");
        foreach (var url in new[] { $"/Audit?{dates}", $"/Audit?handler=Export&{dates}", $"/Audit/Students/{_child0}?{dates}" })
        {
            var response = await admin.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("class=\"errors\"", await response.Content.ReadAsStringAsync());
        }
    }

    /// <summary>
    /// Group commit (AccessLogWriter): views that arrive while the staging file is busy wait for their entries, which then
    /// go in one commit, not one each; and no view is answered before its entry is committed.
    /// </summary>
    [Fact]
    public async Task Entries_queued_while_the_log_is_busy_are_committed_together_and_each_caller_waits_for_its_own()
    {
        var writer = _app.Services.GetRequiredService<AccessLogWriter>();
        var staging = _app.Services.GetRequiredService<AccessLogStaging>();
        var entry = (int i) => new AccessLogEntry { At = _app.Time.GetUtcNow().UtcDateTime, ActorName = "alice", Role = "Coordinator", UserId = _alice, Action = AccessAction.ViewStudent, StudentId = _child0, Path = $"GET /queued/{i}" };
        await writer.WriteAsync(_tenantA, entry(-1));
        var before = await LastIdAsync();
        long commits;
        await using (var busy = await HoldWriteLockAsync(staging.FilePath!))
        {
            commits = staging.Commits;
            var writes = Enumerable.Range(0, 20).Select(i => writer.WriteAsync(_tenantA, entry(i))).ToList();
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            Assert.DoesNotContain(writes, w => w.IsCompleted);
            await busy.ReleaseAsync();
            await Task.WhenAll(writes);
        }
        var written = await EntriesAsync(_tenantA, before);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"GET /queued/{i}").Order(), written.Select(e => e.Path!).Order());
        // The first commit took what was queued when it started (one entry or more); the rest went in the next one.
        Assert.InRange(staging.Commits - commits, 1, 2);
    }

    /// <summary>
    /// Issue 15: a view's commit never waits for the disk. A checkpoint of the staging file waits for it twice (fsync of
    /// the log, then of the file); it used to run inside the commit that took the log past 1,000 pages, and when the
    /// disk was busy every view of the node waited behind it (one view's commit at 253 ms, 2026-12-07). The moves
    /// checkpoint instead, on their own connection; after one, the log starts over at the next view.
    /// </summary>
    [Fact]
    public async Task The_views_commits_never_checkpoint_the_staging_file_the_move_does_and_the_log_starts_over()
    {
        var entry = (int i) => (_tenantA, new AccessLogEntry { At = _app.Time.GetUtcNow().UtcDateTime, ActorName = "alice", Role = "Coordinator", UserId = _alice, Action = AccessAction.ViewStudent, StudentId = _child0, Path = $"GET /one/{i}" });
        // A writer of its own, on a staging file of its own: no move of the app's touches it while the views commit.
        var settings = new DatabaseSettings(DatabaseProvider.Sqlite, $"Data Source={Path.Combine(_app.Root, "checkpoints.db")}", true);
        using (var own = new AccessLogStaging(settings, Microsoft.Extensions.Logging.Abstractions.NullLogger<AccessLogStaging>.Instance) { MoveInterval = TimeSpan.FromHours(1) })
        {
            own.Stage([entry(-1)]);
            var size = new FileInfo(own.FilePath!).Length;
            // Views one after the other, each its own commit of two pages or more (the row's, AUTOINCREMENT's counter).
            for (var i = 0; i < 1_500; i++) own.Stage([entry(i)]);
            Assert.True(new FileInfo(own.FilePath + "-wal").Length > 1_000 * 4096, "the log passed SQLite's checkpoint threshold");
            Assert.Equal(size, new FileInfo(own.FilePath!).Length); // nothing was copied into the file: no commit checkpointed
        }

        // The app's own: the same views, then a move.
        var staging = _app.Services.GetRequiredService<AccessLogStaging>();
        var writer = _app.Services.GetRequiredService<AccessLogWriter>();
        staging.MoveInterval = TimeSpan.FromHours(1);
        await _app.FlushAccessLogAsync();
        var before = await LastIdAsync();
        for (var i = 0; i < 1_500; i++) await writer.WriteAsync(_tenantA, entry(i).Item2);
        var wal = new FileInfo(staging.FilePath + "-wal");
        Assert.True(wal.Length > 1_000 * 4096);
        var staged = new FileInfo(staging.FilePath!).Length;
        Assert.Equal(1_500, (await EntriesAsync(_tenantA, before)).Count); // the read moves them first
        Assert.True(new FileInfo(staging.FilePath!).Length > staged, "the move copied the log into the file");
        // The next view starts the log over: its frames are counted from the start again.
        await writer.WriteAsync(_tenantA, entry(1_500).Item2);
        Assert.InRange(await LogFramesAsync(staging.FilePath!), 1, 10);
    }

    /// <summary>The frames in the write-ahead log of a SQLite file (a checkpoint's second column; nothing is left to copy).</summary>
    private static async Task<long> LogFramesAsync(string file)
    {
        await using var connection = new SqliteConnection($"Data Source={file};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return reader.GetInt64(1);
    }

    /// <summary>
    /// Issue 15: a view's entry is committed to the staging file, not to the database, whose every commit makes every other
    /// connection drop its page cache; it moves into the log once a second, and at once when the log is read.
    /// </summary>
    [Fact]
    public async Task A_view_commits_nothing_to_the_database_and_its_entry_is_listed_as_soon_as_the_log_is_read()
    {
        var staging = _app.Services.GetRequiredService<AccessLogStaging>();
        staging.MoveInterval = TimeSpan.FromHours(1);
        var alice = await _app.SignedInAsync("alice@audit-a.test");
        var admin = await _app.SignedInAsync("admin@audit-a.test");
        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync($"/Students/{_child0}")).StatusCode);
        await _app.FlushAccessLogAsync();
        var page = $"/Students/{_child1}";

        // PRAGMA data_version: another connection's commit to the database changes it (SQLite's page-cache check).
        await using var reader = new SqliteConnection($"Data Source={Path.Combine(_app.Root, "app.db")};Pooling=False");
        await reader.OpenAsync();
        var version = await DataVersionAsync(reader);
        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync(page)).StatusCode);
        Assert.Equal(version, await DataVersionAsync(reader));
        Assert.Equal(1L, await CountAsync(staging.FilePath!, "SELECT COUNT(*) FROM \"StagedAccessLogEntries\""));

        // The admin's audit page lists it at once: the read moves it first.
        var audit = await admin.GetDocumentAsync($"/Audit?Child={_child1}");
        Assert.Contains(page, audit.QuerySelector("main")!.TextContent);
        Assert.Equal(0L, await CountAsync(staging.FilePath!, "SELECT COUNT(*) FROM \"StagedAccessLogEntries\""));
        Assert.NotEqual(version, await DataVersionAsync(reader));
    }

    /// <summary>
    /// While a long job holds the database's write lock, views are still answered and logged (in the staging file);
    /// their entries reach the log once the lock is gone.
    /// </summary>
    [Fact]
    public async Task Views_go_on_while_a_job_holds_the_databases_write_lock_and_are_logged_after_it()
    {
        var alice = await _app.SignedInAsync("alice@audit-a.test");
        var before = await LastIdAsync();
        await using (var busy = await HoldWriteLockAsync(Path.Combine(_app.Root, "app.db")))
        {
            var view = alice.GetAsync($"/Students/{_child0}");
            Assert.True(await Task.WhenAny(view, Task.Delay(TimeSpan.FromSeconds(10))) == view, "the view waited for the database's write lock");
            Assert.Equal(HttpStatusCode.OK, (await view).StatusCode);
            await busy.ReleaseAsync();
        }
        var entry = Assert.Single(await EntriesAsync(_tenantA, before));
        Assert.Equal((AccessAction.ViewStudent, _child0), (entry.Action, entry.StudentId));
    }

    /// <summary>
    /// The same with an unread update about another child: opening a page marks read only that page's updates, and a page
    /// with none to mark writes nothing, so it does not wait for the write lock either. The update is read on its own page.
    /// </summary>
    [Fact]
    public async Task A_view_with_unread_updates_about_other_children_does_not_wait_for_the_databases_write_lock()
    {
        var update = await _app.InTenant(_tenantA, async (_, db) =>
        {
            var u = new ReferralUpdate { UserId = _alice, ReferralId = _referral1, Kind = ReferralUpdateKind.Message, Text = "A message from the provider.", At = new DateTime(2026, 11, 20, 14, 0, 0, DateTimeKind.Utc) };
            db.ReferralUpdates.Add(u);
            await db.SaveChangesAsync();
            return u.Id;
        });
        var alice = await _app.SignedInAsync("alice@audit-a.test");
        await using (var busy = await HoldWriteLockAsync(Path.Combine(_app.Root, "app.db")))
        {
            var view = alice.GetAsync($"/Students/{_child0}");
            Assert.True(await Task.WhenAny(view, Task.Delay(TimeSpan.FromSeconds(10))) == view, "the view waited for the database's write lock");
            Assert.Equal(HttpStatusCode.OK, (await view).StatusCode);
            await busy.ReleaseAsync();
        }
        Assert.Null(await _app.InTenant(_tenantA, (_, db) => db.ReferralUpdates.AsNoTracking().Where(u => u.Id == update).Select(u => u.ReadAt).SingleAsync()));
        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync($"/Students/{_child1}")).StatusCode);
        Assert.NotNull(await _app.InTenant(_tenantA, (_, db) => db.ReferralUpdates.AsNoTracking().Where(u => u.Id == update).Select(u => u.ReadAt).SingleAsync()));
    }

    /// <summary>
    /// Exactly once: if the app stops between the move's two halves (the rows copied and the mark raised in the database,
    /// then deleted from the staging file), the next move skips them and deletes them. A new staging file (its sequence
    /// from 1 again) is not hidden by the old file's mark. An entry of a tenant erased meanwhile is dropped.
    /// </summary>
    [Fact]
    public async Task A_staged_entry_moves_into_the_log_exactly_once()
    {
        var writer = _app.Services.GetRequiredService<AccessLogWriter>();
        var staging = _app.Services.GetRequiredService<AccessLogStaging>();
        staging.MoveInterval = TimeSpan.FromHours(1);
        var entry = (string path) => new AccessLogEntry { At = _app.Time.GetUtcNow().UtcDateTime, ActorName = "alice", Role = "Coordinator", UserId = _alice, Action = AccessAction.ViewStudent, StudentId = _child0, Path = path };
        var before = await LastIdAsync();
        await Task.WhenAll(Enumerable.Range(0, 3).Select(i => writer.WriteAsync(_tenantA, entry($"GET /once/{i}"))));

        // A stop after the first half: the staged rows as they were, put back after the move.
        var staged = await RowsAsync(staging.FilePath!);
        Assert.Equal(3, staged.Count);
        Assert.Equal(3, await staging.FlushAsync());
        await RestoreAsync(staging.FilePath!, staged);
        Assert.Equal(0, await staging.FlushAsync());
        Assert.Equal(0L, await CountAsync(staging.FilePath!, "SELECT COUNT(*) FROM \"StagedAccessLogEntries\""));

        // A new staging file: another identity, its numbers from 1 again, under the old mark.
        await ExecuteAsync(staging.FilePath!, "UPDATE \"StagingFile\" SET \"FileId\" = 'restored'; UPDATE sqlite_sequence SET seq = 0 WHERE name = 'StagedAccessLogEntries';");
        await writer.WriteAsync(_tenantA, entry("GET /once/new-file"));
        Assert.Equal(1L, await CountAsync(staging.FilePath!, "SELECT max(\"Seq\") FROM \"StagedAccessLogEntries\""));
        // And an entry of a tenant that is gone by the move.
        await writer.WriteAsync(int.MaxValue, entry("GET /once/no-tenant"));
        Assert.Equal(1, await staging.FlushAsync());

        var paths = (await EntriesAsync(_tenantA, before)).Select(e => e.Path).ToList();
        Assert.Equal(["GET /once/0", "GET /once/1", "GET /once/2", "GET /once/new-file"], paths.Order());
        Assert.Equal(0, await _app.InTenant(null, async (_, db) => await db.Database.SqlQueryRaw<int>(
            "SELECT COUNT(*) AS \"Value\" FROM \"AccessLogEntries\" WHERE \"Path\" = 'GET /once/no-tenant'").SingleAsync()));
    }

    /// <summary>Two processes on one database: each stages its views in the same file and moves them; every entry lands once.</summary>
    [Fact]
    public async Task Two_processes_staging_and_moving_at_once_log_every_view_once()
    {
        var settings = _app.Services.GetRequiredService<SuccessPlans.Data.DatabaseSettings>();
        var scopes = _app.Services.GetRequiredService<IServiceScopeFactory>();
        using var other = new AccessLogStaging(settings, Microsoft.Extensions.Logging.Abstractions.NullLogger<AccessLogStaging>.Instance);
        using var otherWriter = new AccessLogWriter(scopes, other, Microsoft.Extensions.Logging.Abstractions.NullLogger<AccessLogWriter>.Instance);
        var writer = _app.Services.GetRequiredService<AccessLogWriter>();
        var staging = _app.Services.GetRequiredService<AccessLogStaging>();
        var entry = (string path) => new AccessLogEntry { At = _app.Time.GetUtcNow().UtcDateTime, ActorName = "alice", Role = "Coordinator", UserId = _alice, Action = AccessAction.ViewStudent, StudentId = _child0, Path = path };
        var before = await LastIdAsync();

        var work = Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
        {
            await (i % 2 == 0 ? writer : otherWriter).WriteAsync(_tenantA, entry($"GET /two/{i}"));
            if (i % 10 == 0) await (i % 20 == 0 ? staging : other).FlushAsync();
        }));
        await Task.WhenAll(work);
        await other.FlushAsync();

        var paths = (await EntriesAsync(_tenantA, before)).Select(e => e.Path!).ToList();
        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"GET /two/{i}").Order(), paths.Order());
    }

    /// <summary>
    /// The app's stop waits for the entries still queued (AccessLogDrain), those of views whose callers stopped waiting
    /// too: stopped with the database busy, it ends only once they are written, while its services still work.
    /// </summary>
    [Fact]
    public async Task Stopping_the_app_writes_the_entries_still_queued_even_of_views_that_stopped_waiting()
    {
        var writer = _app.Services.GetRequiredService<AccessLogWriter>();
        var entry = (int i) => new AccessLogEntry { At = _app.Time.GetUtcNow().UtcDateTime, ActorName = "alice", Role = "Coordinator", UserId = _alice, Action = AccessAction.ViewStudent, StudentId = _child0, Path = $"GET /stopping/{i}" };
        var host = _app.Services.GetRequiredService<Microsoft.Extensions.Hosting.IHost>();
        Task stopping;
        await using (var busy = await HoldWriteLockAsync(_app.Services.GetRequiredService<AccessLogStaging>().FilePath!))
        {
            using var closedTab = new CancellationTokenSource();
            var views = Enumerable.Range(0, 5).Select(i => writer.WriteAsync(_tenantA, entry(i), closedTab.Token)).ToList();
            await closedTab.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Task.WhenAll(views));
            stopping = host.StopAsync();
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            Assert.False(stopping.IsCompleted, "the app stopped with access log entries still queued");
            await busy.ReleaseAsync();
        }
        await stopping;
        await using var file = new SqliteConnection($"Data Source={Path.Combine(_app.Root, "app.db")};Pooling=False");
        await file.OpenAsync();
        await using var count = file.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM \"AccessLogEntries\" WHERE \"Path\" LIKE 'GET /stopping/%'";
        Assert.Equal(5L, (long)(await count.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task A_row_that_cannot_be_written_fails_only_its_own_view_not_the_others_in_its_batch()
    {
        var writer = _app.Services.GetRequiredService<AccessLogWriter>();
        var entry = (int i) => new AccessLogEntry { At = _app.Time.GetUtcNow().UtcDateTime, ActorName = "alice", Role = "Coordinator", Action = AccessAction.ViewStudent, Path = $"GET /batch/{i}" };
        var before = await LastIdAsync();
        Task bad;
        List<Task> good;
        await using (var busy = await HoldWriteLockAsync(_app.Services.GetRequiredService<AccessLogStaging>().FilePath!))
        {
            good = Enumerable.Range(0, 3).Select(i => writer.WriteAsync(_tenantA, entry(i))).ToList();
            var nameless = entry(99);
            nameless.ActorName = null!; // the column is NOT NULL: the row is refused
            bad = writer.WriteAsync(_tenantA, nameless);
            good.AddRange(Enumerable.Range(3, 3).Select(i => writer.WriteAsync(_tenantA, entry(i))));
            await busy.ReleaseAsync();
        }
        await Task.WhenAll(good);
        await Assert.ThrowsAsync<SqliteException>(() => bad);
        Assert.Equal(6, (await EntriesAsync(_tenantA, before)).Count(e => e.Path!.StartsWith("GET /batch/", StringComparison.Ordinal)));
        Assert.Equal(6, await _app.InTenant(null, async (_, db) => await db.Database.SqlQueryRaw<int>(
            "SELECT COUNT(*) AS \"Value\" FROM \"AccessLogEntries\" WHERE \"Path\" LIKE 'GET /batch/%'").SingleAsync()));
    }

    [Fact]
    public async Task An_entry_written_inside_a_transaction_is_undone_with_it()
    {
        var before = await LastIdAsync();
        await _app.InTenant(_tenantA, (sp, db) => db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            await sp.GetRequiredService<AccessLog>().AppendAsync(new AccessActor(_alice, "alice", "Coordinator", null, null), AccessAction.ViewStudent, _child0, "GET /undone");
            Assert.Single(await db.AccessLog.AsNoTracking().Where(e => e.Id > before).ToListAsync());
            await transaction.RollbackAsync();
        }));
        Assert.Empty(await EntriesAsync(_tenantA, before));
    }

    private static async Task<long> CountAsync(string file, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={file};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task ExecuteAsync(string file, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={file};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The staged rows, every column, in order.</summary>
    private static async Task<List<object[]>> RowsAsync(string file)
    {
        await using var connection = new SqliteConnection($"Data Source={file};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT * FROM \"StagedAccessLogEntries\" ORDER BY \"Seq\"";
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object[]>();
        while (await reader.ReadAsync())
        {
            var row = new object[reader.FieldCount];
            reader.GetValues(row);
            rows.Add(row);
        }
        return rows;
    }

    private static async Task RestoreAsync(string file, List<object[]> rows)
    {
        await using var connection = new SqliteConnection($"Data Source={file};Pooling=False");
        await connection.OpenAsync();
        foreach (var row in rows)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"INSERT INTO \"StagedAccessLogEntries\" VALUES ({string.Join(", ", row.Select((_, i) => $"$v{i}"))})";
            for (var i = 0; i < row.Length; i++) command.Parameters.AddWithValue($"$v{i}", row[i]);
            await command.ExecuteNonQueryAsync();
        }
    }
}

/// <summary>Where the views' entries are staged: beside a SQLite file only; SQL Server and an in-memory database write the log directly.</summary>
public class AccessLogStagingPathTests
{
    [Fact]
    public void A_sqlite_file_has_its_staging_file_beside_it_and_sql_server_none()
    {
        var folder = Path.Combine(Path.GetTempPath(), "sp-staging");
        Assert.Equal(Path.Combine(folder, "successplans.accesslog.db"),
            AccessLogStaging.PathFor(new DatabaseSettings(DatabaseProvider.Sqlite, $"Data Source={Path.Combine(folder, "successplans.db")}", true)));
        Assert.Null(AccessLogStaging.PathFor(new DatabaseSettings(DatabaseProvider.Sqlite, "Data Source=:memory:", true)));
        Assert.Null(AccessLogStaging.PathFor(new DatabaseSettings(DatabaseProvider.Sqlite, "Data Source=shared;Mode=Memory;Cache=Shared", true)));
        Assert.Null(AccessLogStaging.PathFor(new DatabaseSettings(DatabaseProvider.SqlServer, "Server=db;Database=SuccessPlans;Trusted_Connection=True", false)));
        Assert.False(new AccessLogStaging(new DatabaseSettings(DatabaseProvider.SqlServer, "Server=db;Database=SuccessPlans", false),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<AccessLogStaging>.Instance).Enabled);
    }
}
