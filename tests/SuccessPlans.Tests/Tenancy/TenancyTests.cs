using System.Reflection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using SuccessPlans.Data;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Jobs;
using SuccessPlans.Features.Notifications;
using SuccessPlans.Features.Schools;
using SuccessPlans.Features.Students;
using SuccessPlans.Features.Users;
using SuccessPlans.Tenancy;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Tenancy;

/// <summary>The one rule that must never break, checked on the real DbContext over a real SQLite file.</summary>
public class TenancyTests : IAsyncLifetime
{
    private readonly AppFactory _app = new();
    private int _a, _b;
    private School _schoolOfA = null!;

    public async Task InitializeAsync()
    {
        _ = _app.Server; // boots the app: migrates the database
        _a = (await _app.CreateTenantAsync("tenant-a")).Id;
        _b = (await _app.CreateTenantAsync("tenant-b")).Id;
        _schoolOfA = await _app.CreateSchoolAsync(_a, "A school");
        await SeedOneOfEverythingAsync(_a, _schoolOfA.Id);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    /// <summary>One row of every entity type for tenant A, so "B sees nothing" cannot pass vacuously.</summary>
    private Task SeedOneOfEverythingAsync(int tenantId, int schoolId) => _app.InTenant(tenantId, async (sp, db) =>
    {
        var org = new ProviderOrganization { Name = "A org", HsdsId = "org-a" };
        db.ProviderOrganizations.Add(org);
        db.Services.Add(new Service { Name = "A service", Organization = org });
        var student = new Student { GivenName = "Ana", FamilyName = "A", SchoolId = schoolId };
        db.Students.Add(student);
        var plan = new SuccessPlans.Features.Plans.SuccessPlan { Student = student, SchoolYear = 2026 };
        db.Plans.Add(plan);
        db.PlanItems.Add(new SuccessPlans.Features.Plans.PlanItem { Plan = plan, Description = "Needs glasses", Kind = SuccessPlans.Features.Plans.PlanItemKind.Need });
        db.Reviews.Add(new SuccessPlans.Features.Plans.Review { Student = student, SchoolYear = 2026, Tier = 2, ReviewerName = "x" });
        db.Consents.Add(new Consent { Student = student, GuardianName = "G", RecordedByName = "x", Organizations = [new ConsentOrganization { Organization = org }] });
        await db.SaveChangesAsync();
        db.StudentEvents.Add(new StudentEvent { StudentId = student.Id, UserName = "x", Action = "test" });
        var need = await db.PlanItems.FirstAsync();
        db.GoalPoints.Add(new SuccessPlans.Features.Plans.GoalPoint { NeedId = need.Id, On = new DateOnly(2026, 11, 2), Value = 3, RecordedBy = "a" });
        var service = await db.Services.FirstAsync();
        var referral = new SuccessPlans.Features.Referrals.Referral
        {
            StudentId = student.Id, NeedId = need.Id, ServiceId = service.Id, OrganizationId = org.Id, SchoolId = schoolId, SentByName = "x",
            Status = SuccessPlans.Features.Referrals.ReferralStatus.Accepted,
            Events = [new() { To = SuccessPlans.Features.Referrals.ReferralStatus.Sent, UserName = "x" }],
            Deliveries = [new() { Amount = 1, DeliveredBy = "x" }],
        };
        db.Referrals.Add(referral);
        await db.SaveChangesAsync();
        var year = new SuccessPlans.Features.Cabinet.DeliveryYear { ReferralId = referral.Id, SchoolYear = 2026, StudentId = student.Id, SchoolId = schoolId, OrganizationId = org.Id };
        year.Count(new DateOnly(2026, 8, 3));
        db.DeliveryYears.Add(year);
        db.ServedMonths.Add(new SuccessPlans.Features.Cabinet.ServedMonth { Dimension = SuccessPlans.Features.Cabinet.ServedDimension.Total, MonthNumber = SuccessPlans.Features.Cabinet.ServedMonth.Number(2026, 8), Children = 1, Services = 1 });
        db.ServedChanges.Add(new SuccessPlans.Features.Cabinet.ServedChange { StudentId = student.Id, At = DateTime.UtcNow });
        db.FunnelMonths.Add(new SuccessPlans.Features.Cabinet.FunnelMonth { Measure = SuccessPlans.Features.Cabinet.FunnelMeasure.Made, MonthNumber = SuccessPlans.Features.Cabinet.ServedMonth.Number(2026, 8), Count = 1 });
        db.Flags.Add(new SuccessPlans.Features.Flags.Flag { Kind = SuccessPlans.Features.Flags.FlagKind.UnmetNeed, SubjectId = need.Id, StudentId = student.Id });
        var location = new ServiceLocation { Name = "A place", HsdsId = "loc-a" };
        db.ServicesAtLocations.Add(new ServiceAtLocation { Service = service, Location = location });
        db.ServiceTerms.Add(new ServiceTerm { Service = service, TermHsdsId = "t1", Name = "Term" });
        db.ApiKeys.Add(ApiKey.Create(tenantId, org.Id, "key", "x", DateTime.UtcNow).Key);
        db.Disclosures.Add(new SuccessPlans.Features.Referrals.Disclosure { StudentId = student.Id, OrganizationId = org.Id, ReferralId = referral.Id, FieldsShared = "name", ByName = "x" });
        db.Classes.Add(new SchoolClass { SchoolId = schoolId, ExternalId = "class-a", Title = "Grade 1", Enrollments = [new ClassEnrollment { StudentId = student.Id }] });
        db.Notifications.Add(new Notification { Kind = "test", RecipientEmail = "x@a.test", Subject = "s", BodyText = "b" });
        db.JobRuns.Add(new JobRun { JobName = "test" });
        db.RosterUploads.Add(new SuccessPlans.Features.Roster.RosterUpload { UploadedByName = "x", FileNames = "users.csv" });
        db.AttendanceEvents.Add(new SuccessPlans.Features.Indicators.AttendanceEvent { SourceId = "att-a", StudentId = student.Id, SchoolId = schoolId, Date = new DateOnly(2026, 9, 1) });
        db.BehaviorIncidents.Add(new SuccessPlans.Features.Indicators.BehaviorIncident { SourceId = "inc-a", StudentId = student.Id, SchoolId = schoolId, Date = new DateOnly(2026, 9, 1) });
        db.CourseMarks.Add(new SuccessPlans.Features.Indicators.CourseMark { SourceId = "mark-a", StudentId = student.Id, Date = new DateOnly(2026, 10, 30), Course = "Math", Term = "Q1", Mark = "B" });
        db.SchoolDays.Add(new SuccessPlans.Features.Indicators.SchoolDay { SchoolId = schoolId, Date = new DateOnly(2026, 9, 1) });
        db.StudentIndicators.Add(new SuccessPlans.Features.Indicators.StudentIndicators { StudentId = student.Id, AsOf = new DateOnly(2026, 9, 2) });
        db.DirectoryUploads.Add(new DirectoryUpload { UploadedByName = "x", FileNames = "services.csv" });
        var user = new AppUser { UserName = "coord@a.test", Email = "coord@a.test", DisplayName = "Coord A", Role = UserRole.Coordinator };
        var users = sp.GetRequiredService<UserManager<AppUser>>();
        Assert.True((await users.CreateAsync(user)).Succeeded);
        await users.AddClaimAsync(user, new System.Security.Claims.Claim("k", "v"));
        await users.AddLoginAsync(user, new UserLoginInfo("ext", "key-a", "Ext"));
        await users.SetAuthenticationTokenAsync(user, "ext", "token", "secret");
        db.CoordinatorSchools.Add(new CoordinatorSchool { UserId = user.Id, SchoolId = schoolId });
        db.DigestsSent.Add(new SuccessPlans.Features.Flags.DigestSent { UserId = user.Id });
        db.ReferralMessages.Add(new SuccessPlans.Features.Referrals.ReferralMessage { ReferralId = referral.Id, AuthorName = "x", Text = "x" });
        db.ReferralUpdates.Add(new SuccessPlans.Features.Referrals.ReferralUpdate { ReferralId = referral.Id, UserId = user.Id, Text = "x" });
        db.CaseNotes.Add(new SuccessPlans.Features.Students.CaseNote { StudentId = student.Id, AuthorName = "x", Text = "x" });
        db.AccessLog.Add(new SuccessPlans.Features.Audit.AccessLogEntry { StudentId = student.Id, ActorName = "x", Role = "Coordinator", Action = SuccessPlans.Features.Audit.AccessAction.ViewStudent });
        db.ErasureRecords.Add(new SuccessPlans.Features.Retention.ErasureRecord { TenantId = tenantId, SubjectId = student.Id, ByEmail = "x@a.test" });
        await db.SaveChangesAsync();
    });

    [Fact]
    public async Task A_user_of_tenant_B_reads_no_row_of_tenant_A_through_any_entity()
    {
        var entityTypes = await _app.InTenant(_a, (_, db) => Task.FromResult(db.Model.GetEntityTypes().Select(e => e.ClrType).ToList()));
        foreach (var type in entityTypes)
        {
            // The platform's data-protection keys: no tenant's scope sees any (SharedKeysTests).
            if (type == typeof(Microsoft.AspNetCore.DataProtection.EntityFrameworkCore.DataProtectionKey))
            {
                Assert.Empty(await _app.InTenant(_a, (_, db) => RowsAsync(db, type)));
                continue;
            }
            var seenByA = await _app.InTenant(_a, (_, db) => RowsAsync(db, type));
            Assert.True(seenByA.Count > 0, $"tenant A should see its own {type.Name} rows (seed one in SeedOneOfEverythingAsync)");
            var seenByB = await _app.InTenant(_b, (_, db) => RowsAsync(db, type));
            var leaked = seenByB.Where(row => BelongsTo(row, _a, seenByA)).ToList();
            Assert.True(leaked.Count == 0, $"tenant B sees {leaked.Count} {type.Name} row(s) of tenant A");
        }
    }

    private static bool BelongsTo(object row, int tenantId, List<object> rowsOfA) => row switch
    {
        SuccessPlans.Features.Tenants.Tenant t => t.Id == tenantId,
        ITenantOwned owned => owned.TenantId == tenantId,
        AppUser u => u.TenantId == tenantId,
        SuccessPlans.Features.Retention.ErasureRecord r => r.TenantId == tenantId,
        _ => rowsOfA.Any(a => KeyOf(a) == KeyOf(row)), // Identity's claims, logins, tokens
    };

    private static string KeyOf(object row) => string.Join("|", row.GetType().GetProperties().Select(p => p.GetValue(row)?.ToString()));

    private static async Task<List<object>> RowsAsync(AppDbContext db, Type type)
    {
        var set = typeof(DbContext).GetMethod(nameof(DbContext.Set), Type.EmptyTypes)!.MakeGenericMethod(type).Invoke(db, null)!;
        var toList = typeof(EntityFrameworkQueryableExtensions).GetMethod(nameof(EntityFrameworkQueryableExtensions.ToListAsync))!.MakeGenericMethod(type);
        var task = (Task)toList.Invoke(null, [set, CancellationToken.None])!;
        await task;
        return ((System.Collections.IEnumerable)task.GetType().GetProperty("Result")!.GetValue(task)!).Cast<object>().ToList();
    }

    [Fact]
    public async Task Adding_a_row_for_another_tenant_throws_and_writes_nothing()
    {
        await _app.InTenant(_b, async (_, db) =>
        {
            var school = new School { Name = "Smuggled" };
            db.Schools.Add(school);
            db.Entry(school).Property(s => s.TenantId).CurrentValue = _a;
            await Assert.ThrowsAsync<TenantViolationException>(() => db.SaveChangesAsync());
        });
        Assert.False(await _app.InTenant(_a, (_, db) => db.Schools.AnyAsync(s => s.Name == "Smuggled")));
    }

    [Fact]
    public async Task Changing_a_row_of_another_tenant_throws()
    {
        await _app.InTenant(_b, async (_, db) =>
        {
            var school = new School { Name = "Renamed", Id = _schoolOfA.Id, Version = _schoolOfA.Version };
            db.Attach(school);
            db.Entry(school).Property(s => s.TenantId).CurrentValue = _a;
            db.Entry(school).Property(s => s.TenantId).OriginalValue = _a;
            db.Entry(school).Property(s => s.Name).IsModified = true;
            Assert.Throws<TenantViolationException>(() => db.SaveChanges());
        });
        Assert.Equal("A school", await _app.InTenant(_a, (_, db) => db.Schools.Where(s => s.Id == _schoolOfA.Id).Select(s => s.Name).SingleAsync()));
    }

    [Fact]
    public async Task Deleting_a_row_of_another_tenant_throws()
    {
        await _app.InTenant(_b, async (_, db) =>
        {
            var school = new School { Name = "A school", Id = _schoolOfA.Id, Version = _schoolOfA.Version };
            db.Attach(school);
            db.Entry(school).Property(s => s.TenantId).OriginalValue = _a;
            db.Entry(school).Property(s => s.TenantId).CurrentValue = _a;
            db.Remove(school);
            await Assert.ThrowsAsync<TenantViolationException>(() => db.SaveChangesAsync());
        });
        Assert.True(await _app.InTenant(_a, (_, db) => db.Schools.AnyAsync(s => s.Id == _schoolOfA.Id)));
    }

    [Fact]
    public async Task Changing_a_tenant_id_throws()
    {
        await _app.InTenant(_a, async (_, db) =>
        {
            var school = await db.Schools.SingleAsync(s => s.Id == _schoolOfA.Id);
            db.Entry(school).Property(s => s.TenantId).CurrentValue = _b;
            await Assert.ThrowsAsync<TenantViolationException>(() => db.SaveChangesAsync());
        });
        Assert.True(await _app.InTenant(_a, (_, db) => db.Schools.AnyAsync(s => s.Id == _schoolOfA.Id)));
    }

    [Fact]
    public async Task Saving_with_no_tenant_throws()
    {
        await _app.InTenant(null, async (_, db) =>
        {
            db.Schools.Add(new School { Name = "Orphan" });
            await Assert.ThrowsAsync<TenantViolationException>(() => db.SaveChangesAsync());
            Assert.Throws<TenantViolationException>(() => db.SaveChanges());
        });
        Assert.False(await _app.InTenant(_a, (_, db) => db.Schools.AnyAsync(s => s.Name == "Orphan")));
    }

    [Fact]
    public async Task New_rows_are_stamped_with_the_scope_tenant()
    {
        var school = await _app.CreateSchoolAsync(_b, "B school");
        Assert.Equal(_b, school.TenantId);
        Assert.NotEqual(Guid.Empty, school.Version);
    }

    [Fact]
    public async Task A_user_of_another_tenant_cannot_be_changed_or_moved()
    {
        var userOfA = await _app.InTenant(_a, (_, db) => db.Users.SingleAsync(u => u.Email == "coord@a.test"));
        await _app.InTenant(_b, async (_, db) =>
        {
            db.Attach(userOfA);
            userOfA.DisplayName = "hijacked";
            await Assert.ThrowsAsync<TenantViolationException>(() => db.SaveChangesAsync());
        });
        await _app.InTenant(_a, async (_, db) =>
        {
            var user = await db.Users.SingleAsync(u => u.Email == "coord@a.test");
            user.TenantId = _b;
            await Assert.ThrowsAsync<TenantViolationException>(() => db.SaveChangesAsync());
        });
    }

    [Fact]
    public async Task A_tenant_scope_cannot_create_or_change_another_tenant()
    {
        await _app.InTenant(_b, async (_, db) =>
        {
            db.Tenants.Add(new SuccessPlans.Features.Tenants.Tenant { Name = "x", Slug = "x-tenant" });
            await Assert.ThrowsAsync<TenantViolationException>(() => db.SaveChangesAsync());
        });
    }

    /// <summary>
    /// The contexts come from EF's pool (issue 15): the same object serves one request of tenant A, then one of tenant B.
    /// Nothing of A's request may be left on it: not the tenant, not a tracked row, not an open connection or transaction,
    /// not a setting such as no tracking.
    /// </summary>
    [Fact]
    public async Task A_pooled_context_serves_each_scope_as_that_scope_s_tenant_with_nothing_left_of_the_last()
    {
        // B has a child of its own, so "B sees B's child and nothing of A's" cannot pass on a context that reads nothing.
        var schoolOfB = await _app.CreateSchoolAsync(_b, "B school");
        await _app.InTenant(_b, async (_, db) =>
        {
            db.Students.Add(new Student { GivenName = "Bea", FamilyName = "B", SchoolId = schoolOfB.Id });
            await db.SaveChangesAsync();
        });
        AppDbContext? leasedToA = null;
        await _app.InTenant(_a, async (_, db) =>
        {
            leasedToA = db;
            Assert.NotEmpty(await db.Students.ToListAsync());
            db.ChangeTracker.QueryTrackingBehavior = QueryTrackingBehavior.NoTracking;
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            db.Database.SetCommandTimeout(1);
            await ReadConnection.KeepOpenAsync(db);
            // Begun, written to and never committed (the app's retrying strategy runs a transaction of the user's).
            await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
            {
                await db.Database.BeginTransactionAsync();
                db.Students.Add(new Student { GivenName = "Never", FamilyName = "Committed", SchoolId = _schoolOfA.Id });
                await db.SaveChangesAsync();
            });
            db.Students.Add(new Student { GivenName = "Still", FamilyName = "Tracked", SchoolId = _schoolOfA.Id });
        });

        // The pool hands its contexts out in turn: A's comes back after the others it holds have been out once.
        var found = false;
        for (var i = 0; i < 200 && !found; i++)
        {
            await _app.InTenant(_b, async (_, db) =>
            {
                if (!ReferenceEquals(db, leasedToA)) return;
                found = true;
                Assert.Empty(db.ChangeTracker.Entries());
                ClosedOrKeptOutsideATransaction(db.Database.GetDbConnection());
                Assert.Equal(["Bea"], (await db.Students.ToListAsync()).Select(s => s.GivenName));
                Assert.Equal([_b], (await db.Tenants.ToListAsync()).Select(t => t.Id));
                Assert.Empty(await db.Plans.ToListAsync());
                Assert.Equal(QueryTrackingBehavior.TrackAll, db.ChangeTracker.QueryTrackingBehavior);
                Assert.True(db.ChangeTracker.AutoDetectChangesEnabled);
                Assert.NotEqual(1, db.Database.GetCommandTimeout());
                Assert.Null(db.Database.CurrentTransaction);
                ClosedOrKeptOutsideATransaction(db.Database.GetDbConnection());
            });
        }
        Assert.True(found, "the pool never handed tenant A's context to another scope");

        // A's transaction was rolled back with its scope; a scope with no tenant sees no child.
        Assert.False(await _app.InTenant(_a, (_, db) => db.Students.AnyAsync(s => s.FamilyName == "Committed")));
        Assert.Empty(await _app.InTenant(null, (_, db) => db.Students.ToListAsync()));

        // A context that no scope gave a tenant (as the pool holds them) reads nothing at all, not even the users and
        // tenants a scope without a tenant (sign-in) may read.
        await using var unleased = new AppDbContext(_app.Services.GetRequiredService<DbContextOptions<AppDbContext>>());
        await Assert.ThrowsAsync<InvalidOperationException>(() => unleased.Users.ToListAsync());
        await Assert.ThrowsAsync<InvalidOperationException>(() => unleased.Students.ToListAsync());
    }

    [Fact]
    public void A_scope_cannot_switch_tenants()
    {
        var current = new CurrentTenant();
        current.Set(_a);
        current.Set(_a);
        Assert.Throws<TenantViolationException>(() => current.Set(_b));
    }

    [Fact]
    public void Only_the_scoped_registration_takes_contexts_from_the_pool()
    {
        // A context taken from EF's pool any other way would have no tenant given (AppDbContext.LeasedTo): it must go
        // through the scoped AppDbContext of AddSuccessPlansCore.
        Assert.Equal(["CoreServices.cs"], SourceFilesContaining("IDbContextFactory<AppDbContext>").Select(Path.GetFileName));
    }

    [Fact]
    public void The_context_uses_only_the_named_filter()
    {
        // IgnoreQueryFilters() without a name would drop the tenant filter too; the code base must not call it.
        Assert.Empty(SourceFilesContaining("IgnoreQueryFilters()"));
    }

    // A pooled context's connection is closed, or on SQLite kept open with its prepared statements (SqliteKeptConnection),
    // never inside a transaction: what A began was rolled back before the context went back to the pool.
    private static void ClosedOrKeptOutsideATransaction(System.Data.Common.DbConnection connection)
    {
        if (connection.State == System.Data.ConnectionState.Closed) return;
        Assert.True(SqliteStatements.CountOn(connection) >= 0, "an open connection that is not a kept one");
        Assert.Equal(1, SQLitePCL.raw.sqlite3_get_autocommit(((Microsoft.Data.Sqlite.SqliteConnection)connection).Handle));
    }

    private static List<string> SourceFilesContaining(string text) =>
        Directory.EnumerateFiles(Path.Combine(Model.ModelTests.RepositoryRoot(), "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .Where(f => File.ReadAllText(f).Contains(text, StringComparison.Ordinal))
            .ToList();
}
