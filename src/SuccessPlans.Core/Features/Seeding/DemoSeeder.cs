using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SuccessPlans.Data;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Roster;
using SuccessPlans.Features.Tenants;
using SuccessPlans.Features.Users;
using SuccessPlans.Tenancy;

namespace SuccessPlans.Features.Seeding;

public sealed record DemoLogin(string Email, string Role, string What);

/// <summary>
/// On the first run with an empty database and Demo:Enabled, loads the demo community from seed-data/ and
/// creates one demo user of every role. Never runs against a database that already holds a tenant.
/// </summary>
public sealed class DemoSeeder(IServiceScopeFactory scopes, TimeProvider time, ILogger<DemoSeeder> log)
{
    public const string Password = "Demo-Success-2026!";
    public const string TenantSlug = "demo";

    public static readonly IReadOnlyList<DemoLogin> Logins =
    [
        new("admin@demo.test", Roles.Admin, "manages the Demo City tenant"),
        new("coordinator@demo.test", Roles.Coordinator, "coordinator of the first two schools"),
        new("coordinator2@demo.test", Roles.Coordinator, "coordinator of the third school"),
        new("provider@demo.test", Roles.Provider, "staff of the first provider organization"),
        new("cabinet@demo.test", Roles.Cabinet, "cabinet member (aggregate counts only)"),
        new("operator@demo.test", Roles.Operator, "platform operator (creates tenants, opens /hangfire)"),
    ];

    /// <summary>Returns true when it seeded, false when the database already had a tenant. All or nothing.</summary>
    public async Task<bool> SeedIfEmptyAsync(string seedDataDirectory, CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        var db = sp.GetRequiredService<AppDbContext>();
        if (await db.Tenants.AnyAsync(ct))
            return false;

        // One scope, one context, one transaction: a malformed seed file leaves the database empty.
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var tenant = new Tenant { Name = "Demo City Children's Cabinet", Slug = TenantSlug, TimeZoneId = "America/New_York", CreatedAt = Now };
        db.Tenants.Add(tenant);
        await db.SaveChangesAsync(ct);
        await CreateUserAsync(sp, Logins[5], null);

        sp.GetRequiredService<CurrentTenant>().Set(tenant.Id);
        var roster = await sp.GetRequiredService<OneRosterImporter>().ImportDirectoryAsync(Path.Combine(seedDataDirectory, "oneroster"), ct);
        var directory = await sp.GetRequiredService<HsdsImporter>().ImportDirectoryAsync(Path.Combine(seedDataDirectory, "hsds"), ct);
        var schools = await db.Schools.OrderBy(s => s.ExternalId).Select(s => s.Id).Take(3).ToListAsync(ct);
        var firstOrg = await db.ProviderOrganizations.OrderBy(o => o.Name).Select(o => o.Id).FirstAsync(ct);

        await CreateUserAsync(sp, Logins[0], tenant.Id);
        var coordinator = await CreateUserAsync(sp, Logins[1], tenant.Id);
        var coordinator2 = await CreateUserAsync(sp, Logins[2], tenant.Id);
        var provider = await CreateUserAsync(sp, Logins[3], tenant.Id);
        await CreateUserAsync(sp, Logins[4], tenant.Id);

        foreach (var schoolId in schools.Take(2))
            db.CoordinatorSchools.Add(new CoordinatorSchool { UserId = coordinator.Id, SchoolId = schoolId });
        db.CoordinatorSchools.Add(new CoordinatorSchool { UserId = coordinator2.Id, SchoolId = schools.Last() });
        provider.ProviderOrganizationId = firstOrg;
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);

        log.LogInformation("Seeded the demo community: {Schools} schools, {Students} students, {Orgs} provider organizations, {Services} services.",
            roster.SchoolsAdded, roster.StudentsAdded, directory.OrganizationsAdded, directory.ServicesAdded);
        return true;
    }

    private async Task<AppUser> CreateUserAsync(IServiceProvider sp, DemoLogin login, int? tenantId)
    {
        var users = sp.GetRequiredService<UserManager<AppUser>>();
        var name = login.Email.Split('@')[0];
        var user = new AppUser
        {
            UserName = login.Email,
            Email = login.Email,
            EmailConfirmed = true,
            DisplayName = $"Demo {char.ToUpperInvariant(name[0])}{name[1..]}",
            Role = Enum.Parse<UserRole>(login.Role),
            TenantId = tenantId,
            CreatedAt = Now,
            ActivatedAt = Now,
        };
        var result = await users.CreateAsync(user, Password);
        if (!result.Succeeded)
            throw new InvalidOperationException($"Demo user {login.Email}: {string.Join("; ", result.Errors.Select(e => e.Description))}");
        return user;
    }

    /// <summary>seed-data/demo, found by walking up from the app's folder (so it works from src/ and from bin/).</summary>
    public static string? FindSeedData(string startDirectory)
    {
        for (var dir = new DirectoryInfo(startDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "seed-data", "demo");
            if (System.IO.Directory.Exists(candidate))
                return candidate;
        }
        return null;
    }

    private DateTime Now => time.GetUtcNow().UtcDateTime;
}
