using Microsoft.EntityFrameworkCore;
using SuccessPlans.Features.Jobs;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Roster;
using SuccessPlans.Features.Students;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;
using SuccessPlans.Web.Features.Tenants;
using SuccessPlans.Web.Features.Users;

namespace SuccessPlans.Tests.Production;

/// <summary>
/// SQL Server retries transient errors; these tests make one happen, on SQLite with the same kind of retrying
/// strategy (every test host has it, see <see cref="AppFactory.Faults"/>), midway through each use case that writes
/// in one transaction. Each succeeds on the retry and writes nothing twice.
/// </summary>
public class TransientRetryTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Day0 = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);
    private readonly AppFactory _app = new(Day0);
    private int _tenant;

    public async Task InitializeAsync() => _tenant = (await _app.CreateTenantAsync("retry")).Id;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_transaction_opened_outside_the_execution_strategy_is_refused_as_sql_server_would()
    {
        // What makes every test of the suite fail if code opens a transaction the way SQL Server's retries refuse.
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => _app.InTenant(_tenant, async (_, db) =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            return await db.Students.CountAsync();
        }));
        Assert.Contains("execution strategy", e.Message);
    }

    [Fact]
    public async Task A_roster_import_retried_after_a_fault_writes_each_child_and_history_row_once()
    {
        const string orgs = "sourcedId,status,dateLastModified,name,type\ns1,active,,Lincoln,school\n";
        const string users = "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,givenName,familyName,identifier,grades\n" +
                             "u1,active,,true,s1,student,Ana,Lee,1001,03\nu2,active,,true,s1,student,Ben,Ode,1002,04\n";
        var files = new Dictionary<string, string> { ["orgs.csv"] = orgs, ["users.csv"] = users };
        // The history insert comes after the children are saved, in the same transaction.
        _app.Faults.Next("INSERT INTO \"StudentEvents\"");
        var result = await _app.InTenant(_tenant, async (sp, _) =>
        {
            var importer = sp.GetRequiredService<OneRosterImporter>();
            return await importer.ApplyAsync(await importer.PreviewAsync(files), new Actor(null, "Test import"));
        });

        Assert.Equal(1, _app.Faults.Thrown);
        Assert.Equal((1, 2), (result.SchoolsAdded, result.StudentsAdded));
        var (schools, students, events) = await _app.InTenant(_tenant, async (_, db) =>
            (await db.Schools.CountAsync(), await db.Students.CountAsync(), await db.StudentEvents.CountAsync()));
        Assert.Equal((1, 2, 2), (schools, students, events));
    }

    [Fact]
    public async Task An_invitation_retried_after_a_fault_creates_one_user_and_one_email()
    {
        // The email is queued after the user is created, in the same transaction.
        _app.Faults.Next("INSERT INTO \"Notifications\"");
        var (user, errors) = await _app.InTenant(_tenant, (sp, _) => sp.GetRequiredService<Invitations>()
            .InviteAsync(new Invitations.Request("new@retry.test", "New Person", UserRole.Cabinet, [], null), "Partnership retry", CancellationToken.None));

        Assert.Empty(errors);
        Assert.NotNull(user);
        Assert.Equal(1, _app.Faults.Thrown);
        var (users, emails) = await _app.InTenant(_tenant, async (_, db) =>
            (await db.Users.CountAsync(u => u.Email == "new@retry.test"), await db.Notifications.CountAsync(n => n.RecipientEmail == "new@retry.test")));
        Assert.Equal((1, 1), (users, emails));
    }

    [Fact]
    public async Task A_user_scope_edit_retried_after_a_fault_saves_each_school_once()
    {
        var a = (await _app.CreateSchoolAsync(_tenant, "A")).Id;
        var b = (await _app.CreateSchoolAsync(_tenant, "B")).Id;
        var c = (await _app.CreateSchoolAsync(_tenant, "C")).Id;
        var admin = await _app.CreateUserAsync(_tenant, "admin@retry.test", UserRole.Admin);
        var coordinator = await _app.CreateUserAsync(_tenant, "coord@retry.test", UserRole.Coordinator, [a]);

        _app.Faults.Next("INSERT INTO \"CoordinatorSchools\"");
        await _app.InTenant(_tenant, async (sp, db) =>
        {
            var user = await db.Users.Include(u => u.CoordinatorSchools).SingleAsync(u => u.Id == coordinator.Id);
            await sp.GetRequiredService<UserScopeService>().UpdateAsync(user, new UserScopeRequest("Coord Renamed", UserRole.Coordinator, [b, c], null), user.ConcurrencyStamp, admin.Id);
        });

        Assert.Equal(1, _app.Faults.Thrown);
        var (name, schools) = await _app.InTenant(_tenant, async (_, db) =>
            (await db.Users.Where(u => u.Id == coordinator.Id).Select(u => u.DisplayName).SingleAsync(),
             await db.CoordinatorSchools.Where(s => s.UserId == coordinator.Id).Select(s => s.SchoolId).OrderBy(s => s).ToListAsync()));
        Assert.Equal("Coord Renamed", name);
        Assert.Equal([b, c], schools);
    }

    [Fact]
    public async Task A_nightly_check_retried_after_a_fault_opens_each_flag_once()
    {
        var school = (await _app.CreateSchoolAsync(_tenant, "X")).Id;
        await _app.InTenant(_tenant, async (_, db) =>
        {
            var student = new Student { GivenName = "Xena", FamilyName = "Exe", SchoolId = school };
            var plan = new SuccessPlan { Student = student, SchoolYear = 2026 };
            db.AddRange(plan, new PlanItem { Plan = plan, Domain = Domain.Academic, Kind = PlanItemKind.Need, Description = "Reading", Status = NeedStatus.Open, IdentifiedOn = new DateOnly(2026, 10, 1) });
            await db.SaveChangesAsync();
        });

        _app.Faults.Next("INSERT INTO \"Flags\"");
        await _app.Services.GetRequiredService<TenantJobRunner>().RunAsync(TenantJobCatalog.NightlyCheck.Name, _tenant, "test", CancellationToken.None);

        Assert.Equal(1, _app.Faults.Thrown);
        var flags = await _app.InTenant(_tenant, (_, db) => db.Flags.CountAsync());
        Assert.Equal(1, flags);
    }

    [Fact]
    public async Task Creating_a_tenant_retried_after_a_fault_creates_one_tenant_and_one_admin()
    {
        // The first Admin is inserted after the tenant; the retry starts over in a new scope (a new tenant id on SQL Server).
        _app.Faults.Next("INSERT INTO \"AspNetUsers\"");
        var (tenant, errors) = await _app.InTenant(null, (sp, _) => sp.GetRequiredService<TenantProvisioning>()
            .CreateAsync(new TenantProvisioning.Request("Retried", "retried", "America/New_York", "first@retried.test", "First Admin"), CancellationToken.None));

        Assert.Empty(errors);
        Assert.NotNull(tenant);
        Assert.Equal(1, _app.Faults.Thrown);
        var (tenants, admins) = await _app.InTenant(null, async (_, db) =>
            (await db.Tenants.CountAsync(t => t.Slug == "retried"), await db.Users.IgnoreQueryFilters().Where(u => u.Email == "first@retried.test").Select(u => u.TenantId).ToListAsync()));
        Assert.Equal(1, tenants);
        Assert.Equal([tenant.Id], admins.Select(t => t!.Value));
    }
}
