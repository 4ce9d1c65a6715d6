using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SuccessPlans.Data;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Referrals;
using SuccessPlans.Features.Students;
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

    /// <summary>
    /// Demo only: the demo Admin and operator must use a second factor like any Admin, so they come enrolled with this
    /// published authenticator key (README); add it to any authenticator app. A real deployment never has it.
    /// </summary>
    public const string AuthenticatorKey = "DEMOSUCCESSPLANSTWOFACTORKEYDEMO";

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
        // One scope, one context, one transaction: a malformed seed file leaves the database empty. A retry starts
        // over in a fresh scope (the tenant gets a new id).
        var seeded = await scopes.InNewScopeAsync<(RosterImportResult Roster, DirectoryImportResult Directory)?>(async (sp, db, ct) =>
        {
            if (await db.Tenants.AnyAsync(ct))
                return null;
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
            await SeedActivityAsync(db, schools.Take(2).ToList(), firstOrg, ct);
            await SeedIndicatorsAsync(sp, db, LocalDays.Of(Now, tenant.TimeZone), ct);
            await SeedGoalsAsync(db, LocalDays.Of(Now, tenant.TimeZone), ct);
            return (roster, directory);
        }, ct);
        if (seeded is not var (roster, directory))
            return false;

        log.LogInformation("Seeded the demo community: {Schools} schools, {Students} students, {Orgs} provider organizations, {Services} services.",
            roster.SchoolsAdded, roster.StudentsAdded, directory.OrganizationsAdded, directory.ServicesAdded);
        return true;
    }

    /// <summary>
    /// A few weeks of work already done in the first two schools, so every page has something to show on a
    /// first run: plans with needs (some weeks old), consents, and referrals in every state with services delivered.
    /// </summary>
    /// <summary>The school year's attendance, incidents and marks so far, through the indicator import itself.</summary>
    private static async Task SeedIndicatorsAsync(IServiceProvider sp, AppDbContext db, DateOnly today, CancellationToken ct)
    {
        var children = await db.Students.AsNoTracking().Where(s => s.Status == StudentStatus.Active && s.ExternalId != null && s.School.ExternalId != null)
            .OrderBy(s => s.ExternalId).Select(s => new DemoIndicators.Child(s.ExternalId!, s.School.ExternalId!)).ToListAsync(ct);
        var importer = sp.GetRequiredService<SuccessPlans.Features.Indicators.IndicatorImporter>();
        var preview = await importer.PreviewAsync(DemoIndicators.Files(children, today), ct);
        if (!preview.CanImport)
            throw new InvalidOperationException("The demo's indicator files do not import: " + string.Join("; ", preview.Errors.Take(3)));
        await importer.ApplyAsync(preview, today, ct);
    }

    /// <summary>
    /// Four goals with a measure (docs/goals.md), so the student page shows charts on a first run: attendance goals, whose
    /// values come from the imported attendance, and reading goals with values recorded by hand.
    /// </summary>
    private async Task SeedGoalsAsync(AppDbContext db, DateOnly today, CancellationToken ct)
    {
        var needs = await db.PlanItems.Where(i => i.Kind == PlanItemKind.Need && i.Status == NeedStatus.Open).OrderBy(i => i.Id).Take(4).ToListAsync(ct);
        var yearStart = new DateOnly(SchoolYears.For(today), 8, 1);
        var baselineOn = today.AddDays(-90) > yearStart ? today.AddDays(-90) : yearStart;
        var span = today.DayNumber - baselineOn.DayNumber;
        for (var i = 0; i < needs.Count; i++)
        {
            var need = needs[i];
            (need.BaselineOn, need.TargetOn) = (baselineOn, today.AddDays(120));
            if (i % 2 == 0)
                (need.Measure, need.Baseline, need.Target, need.Goal) = (GoalMeasure.AttendanceRate, 88, 95, "Attends 95 % of school days by the spring review");
            else
            {
                (need.Measure, need.MeasureLabel, need.Baseline, need.Target, need.Goal) = (GoalMeasure.Recorded, "minutes read a day", 5, 20, "Reads 20 minutes a day");
                for (var w = 1; w <= 4; w++)
                    db.GoalPoints.Add(new GoalPoint { NeedId = need.Id, On = baselineOn.AddDays(w * span / 4), Value = 5 + w * 3 - i % 3, RecordedBy = "Demo Coordinator", RecordedAt = Now });
            }
        }
        await db.SaveChangesAsync(ct);
    }

    private async Task SeedActivityAsync(AppDbContext db, List<int> schoolIds, int providerOrgId, CancellationToken ct)
    {
        var now = Now;
        var today = DateOnly.FromDateTime(now);
        var year = SchoolYears.For(today);
        var students = await db.Students.Where(s => schoolIds.Contains(s.SchoolId)).OrderBy(s => s.ExternalId).Take(24).ToListAsync(ct);
        var schoolNames = await db.Schools.ToDictionaryAsync(s => s.Id, s => s.Name, ct);
        var services = await db.Services.Where(s => s.Domain != null).OrderBy(s => s.OrganizationId == providerOrgId ? 0 : 1).ThenBy(s => s.Id).ToListAsync(ct);
        var statuses = new[] { ReferralStatus.Sent, ReferralStatus.Accepted, ReferralStatus.InService, ReferralStatus.Completed, ReferralStatus.Declined, (ReferralStatus?)null };
        for (var i = 0; i < students.Count; i++)
        {
            var student = students[i];
            var ago = 5 + i * 2; // reviewed between 5 and 51 days ago
            var plan = new SuccessPlan { StudentId = student.Id, SchoolYear = year, Tier = 1 + i % 3, CreatedAt = now.AddDays(-ago), UpdatedAt = now.AddDays(-ago),
                NextReviewDue = i % 3 == 2 ? today.AddDays(42 - ago) : null };
            db.Plans.Add(plan);
            db.Reviews.Add(new Review { StudentId = student.Id, SchoolYear = year, Term = SchoolYears.TermFor(today), Tier = plan.Tier, ReviewerName = "Demo Coordinator", ReviewedOn = today.AddDays(-ago) });
            plan.Items.Add(new PlanItem { Domain = Domain.Academic, Kind = PlanItemKind.Strength, Description = "Curious and eager to read", CreatedAt = plan.CreatedAt });
            var service = services[i % services.Count];
            var need = new PlanItem { Domain = service.Domain!.Value, Kind = PlanItemKind.Need, Description = NeedFor(service.Domain.Value), Goal = "Help in place within a month",
                Priority = NeedPriority.Medium, Status = NeedStatus.Open, IdentifiedOn = today.AddDays(-ago), CreatedAt = plan.CreatedAt };
            plan.Items.Add(need);
            db.StudentEvents.Add(new StudentEvent { StudentId = student.Id, At = plan.CreatedAt, UserName = "Demo Coordinator", Action = "plan created", Details = $"Success plan for {SchoolYears.Label(year)} (demo)" });
            var consent = new Consent { StudentId = student.Id, GuardianName = student.GuardianName ?? "Guardian", GivenOn = today.AddDays(-ago), SharesWithAnyPartner = true,
                RecordedByName = "Demo Coordinator", RecordedAt = plan.CreatedAt };
            db.Consents.Add(consent);
            await db.SaveChangesAsync(ct);

            if (statuses[i % statuses.Length] is not { } status) continue;
            var sentAt = now.AddDays(-ago + 1);
            var referral = new Referral
            {
                StudentId = student.Id, NeedId = need.Id, ServiceId = service.Id, OrganizationId = service.OrganizationId, Status = status, SentByName = "Demo Coordinator",
                SchoolId = student.SchoolId, Domain = need.Domain, Tier = service.Tier,
                CreatedAt = sentAt, SentAt = sentAt, AnsweredAt = status == ReferralStatus.Sent ? null : sentAt.AddDays(2),
                SharedChildName = $"{student.GivenName} {student.FamilyName}", SharedGrade = student.Grade, SharedSchool = schoolNames[student.SchoolId], SharedGuardianName = student.GuardianName,
                SharedGuardianContact = student.GuardianPhone, SharedNeed = need.Description, ConsentId = consent.Id,
                Outcome = status == ReferralStatus.Declined ? ReferralOutcome.NoCapacity : null,
                ClosedAt = status is ReferralStatus.Completed or ReferralStatus.Declined ? sentAt.AddDays(10) : null,
            };
            referral.Events.Add(new ReferralEvent { To = ReferralStatus.Sent, At = sentAt, UserName = "Demo Coordinator" });
            if (status != ReferralStatus.Sent)
                referral.Events.Add(new ReferralEvent { From = ReferralStatus.Sent, To = status == ReferralStatus.Declined ? ReferralStatus.Declined : ReferralStatus.Accepted, At = sentAt.AddDays(2), UserName = "Demo Provider" });
            if (status is ReferralStatus.InService or ReferralStatus.Completed)
            {
                referral.FirstServiceAt = sentAt.AddDays(3);
                referral.FirstServiceOn = DateOnly.FromDateTime(sentAt).AddDays(3);
                referral.DaysToFirstService = 3;
                referral.Events.Add(new ReferralEvent { From = ReferralStatus.Accepted, To = ReferralStatus.InService, At = sentAt.AddDays(3), UserName = "Demo Provider" });
                for (var d = 0; d < 3; d++)
                    referral.Deliveries.Add(new ServiceDelivery { DeliveredOn = DateOnly.FromDateTime(sentAt).AddDays(3 + d * 2), Amount = 1, DeliveredBy = "Demo Provider", RecordedAt = sentAt.AddDays(3 + d * 2) });
            }
            if (status == ReferralStatus.Completed)
            {
                referral.Outcome = ReferralOutcome.GotHelp;
                    referral.OutcomeNote = "Goal reached";
                referral.Events.Add(new ReferralEvent { From = ReferralStatus.InService, To = ReferralStatus.Completed, At = sentAt.AddDays(10), UserName = "Demo Provider" });
                need.Status = NeedStatus.Met;
                need.ResolvedOn = DateOnly.FromDateTime(sentAt.AddDays(10));
            }
            db.Referrals.Add(referral);
            await db.SaveChangesAsync(ct);
            db.Disclosures.Add(new Disclosure { StudentId = student.Id, OrganizationId = service.OrganizationId, ReferralId = referral.Id, FieldsShared = "Child's name, Grade, School, Guardian, Guardian contact, Need",
                ConsentId = consent.Id, At = sentAt, ByName = "Demo Coordinator" });
        }
        await db.SaveChangesAsync(ct);
        await SeedSchoolYearAsync(db, students.Select(s => s.Id).ToHashSet(), services, ct);
        await Cabinet.DeliveryRollup.RebuildAsync(db, Now, ct);
        await Cabinet.FunnelRollup.RebuildAsync(db, ct);
    }

    /// <summary>
    /// The school year so far across every school, for the cabinet's dashboard: a few hundred children referred
    /// since August, most served weekly, some needs met. Deterministic, like the rest of the demo.
    /// </summary>
    private async Task SeedSchoolYearAsync(AppDbContext db, HashSet<int> alreadySeeded, List<Service> services, CancellationToken ct)
    {
        var now = Now;
        var today = DateOnly.FromDateTime(now);
        var year = SchoolYears.For(today);
        var yearStart = new DateOnly(year, 8, 1);
        var days = today.DayNumber - yearStart.DayNumber;
        if (days < 14) return;
        var random = new Random(2026);
        // 120 children from each school, so every school has a row worth showing.
        var students = (await db.Students.Where(s => !alreadySeeded.Contains(s.Id)).OrderBy(s => s.ExternalId).ToListAsync(ct))
            .GroupBy(s => s.SchoolId).SelectMany(g => g.Take(120)).ToList();
        var sent = new List<(Referral Referral, Consent Consent)>();
        var schoolNames = await db.Schools.ToDictionaryAsync(s => s.Id, s => s.Name, ct);
        foreach (var student in students)
        {
            var sentOn = yearStart.AddDays(random.Next(3, days - 7));
            var sentAt = sentOn.ToDateTime(new TimeOnly(14, 0), DateTimeKind.Utc);
            var service = services[random.Next(services.Count)];
            var plan = new SuccessPlan { StudentId = student.Id, SchoolYear = year, Tier = 1 + random.Next(3), CreatedAt = sentAt.AddDays(-2), UpdatedAt = sentAt };
            var need = new PlanItem { Domain = service.Domain!.Value, Kind = PlanItemKind.Need, Description = NeedFor(service.Domain.Value), Priority = NeedPriority.Medium,
                Status = NeedStatus.Open, IdentifiedOn = sentOn.AddDays(-2), CreatedAt = plan.CreatedAt };
            plan.Items.Add(need);
            db.Plans.Add(plan);
            var consent = new Consent { StudentId = student.Id, GuardianName = student.GuardianName ?? "Guardian", GivenOn = sentOn.AddDays(-1), SharesWithAnyPartner = true,
                RecordedByName = "Demo Coordinator", RecordedAt = sentAt.AddDays(-1) };
            db.Consents.Add(consent);
            var roll = random.Next(100);
            var status = roll < 8 ? ReferralStatus.Declined : roll < 15 ? ReferralStatus.Accepted : roll < 60 ? ReferralStatus.InService : ReferralStatus.Completed;
            var referral = new Referral
            {
                StudentId = student.Id, Need = need, ServiceId = service.Id, OrganizationId = service.OrganizationId, Status = status, SentByName = "Demo Coordinator",
                SchoolId = student.SchoolId, Domain = need.Domain, Tier = service.Tier, CreatedAt = sentAt, SentAt = sentAt, AnsweredAt = sentAt.AddDays(1 + random.Next(3)),
                SharedChildName = $"{student.GivenName} {student.FamilyName}", SharedGrade = student.Grade, SharedSchool = schoolNames[student.SchoolId], SharedNeed = need.Description,
                Outcome = status == ReferralStatus.Declined ? ReferralOutcome.NoCapacity : null,
            };
            referral.Events.Add(new ReferralEvent { To = ReferralStatus.Sent, At = sentAt, UserName = "Demo Coordinator" });
            referral.Events.Add(new ReferralEvent { From = ReferralStatus.Sent, To = status == ReferralStatus.Declined ? ReferralStatus.Declined : ReferralStatus.Accepted, At = referral.AnsweredAt!.Value, UserName = "Demo Provider" });
            if (status is ReferralStatus.InService or ReferralStatus.Completed)
            {
                // Weekly sessions from a few days after acceptance, up to twelve weeks or today.
                var first = DateOnly.FromDateTime(referral.AnsweredAt.Value).AddDays(random.Next(2, 15));
                var weeks = status == ReferralStatus.Completed ? random.Next(4, 13) : 12;
                for (var w = 0; w < weeks && first.AddDays(7 * w) <= today; w++)
                    referral.Deliveries.Add(new ServiceDelivery { DeliveredOn = first.AddDays(7 * w), Amount = 1, DeliveredBy = "Demo Provider", RecordedAt = first.AddDays(7 * w).ToDateTime(new TimeOnly(18, 0), DateTimeKind.Utc) });
                if (referral.Deliveries.Count == 0) { referral.Status = status = ReferralStatus.Accepted; }
                else
                {
                    referral.FirstServiceAt = referral.Deliveries[0].RecordedAt;
                    referral.FirstServiceOn = first;
                    referral.DaysToFirstService = first.DayNumber - sentOn.DayNumber;
                    referral.Events.Add(new ReferralEvent { From = ReferralStatus.Accepted, To = ReferralStatus.InService, At = referral.FirstServiceAt.Value, UserName = "Demo Provider" });
                }
                if (status == ReferralStatus.Completed)
                {
                    var last = referral.Deliveries[^1].DeliveredOn;
                    referral.ClosedAt = last.ToDateTime(new TimeOnly(19, 0), DateTimeKind.Utc);
                    referral.Outcome = ReferralOutcome.GotHelp;
                    referral.OutcomeNote = "Goal reached";
                    referral.Events.Add(new ReferralEvent { From = ReferralStatus.InService, To = ReferralStatus.Completed, At = referral.ClosedAt.Value, UserName = "Demo Provider" });
                    need.Status = NeedStatus.Met;
                    need.ResolvedOn = last;
                }
            }
            if (status == ReferralStatus.Declined) referral.ClosedAt = referral.AnsweredAt;
            db.Referrals.Add(referral);
            sent.Add((referral, consent));
        }
        await db.SaveChangesAsync(ct);
        foreach (var (referral, consent) in sent)
        {
            referral.ConsentId = consent.Id;
            db.Disclosures.Add(new Disclosure { StudentId = referral.StudentId, OrganizationId = referral.OrganizationId, ReferralId = referral.Id, FieldsShared = "Child's name, Grade, School, Need",
                ConsentId = consent.Id, At = referral.SentAt!.Value, ByName = "Demo Coordinator" });
        }
        await db.SaveChangesAsync(ct);
    }

    private static string NeedFor(Domain d) => d switch
    {
        Domain.Academic => "Reading below grade level",
        Domain.SocialEmotionalBehavioral => "Anxious at recess, few friends",
        Domain.Health => "Cannot see the board; needs an eye exam",
        _ => "Family needs help with food",
    };

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
        if (user.Role is UserRole.Admin or UserRole.Operator)
        {
            await ((IUserAuthenticatorKeyStore<AppUser>)sp.GetRequiredService<IUserStore<AppUser>>()).SetAuthenticatorKeyAsync(user, AuthenticatorKey, CancellationToken.None);
            await users.SetTwoFactorEnabledAsync(user, true);
        }
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
