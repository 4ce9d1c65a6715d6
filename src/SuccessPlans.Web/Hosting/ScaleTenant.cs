using Bogus;
using Microsoft.AspNetCore.Identity;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Indicators;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Referrals;
using SuccessPlans.Features.Schools;
using SuccessPlans.Features.Seeding;
using SuccessPlans.Features.Students;
using SuccessPlans.Features.Tenants;
using SuccessPlans.Features.Users;

namespace SuccessPlans.Web.Hosting;

/// <summary>
/// Issue 15's second tenant for the coordinator's pages, added to an existing database (the running demo's, in
/// infra/scripts/bench-pages.sh):
///   dotnet SuccessPlans.Web.dll benchmark scale-tenant --db FILE [--students 10000] [--per-school 2000]
/// "Scale City": schools of 2,000 students each, a coordinator of the first school (school@scale.test) and one of
/// the first five (district@scale.test: 10,000 children), a provider, a cabinet member and an Admin (for the mixed load), all with the
/// demo's password. A third of the children
/// have this year's plan (tier, review date, one to three needs, most open), half of those a referral with services,
/// every child an attendance summary; then the nightly check runs once, so flags are there as on a real morning.
/// </summary>
internal static class ScaleTenant
{
    public const string SchoolCoordinator = "school@scale.test";
    public const string DistrictCoordinator = "district@scale.test";

    /// <summary>The tenant's users, all with the demo's password; the Admin also with the demo's authenticator key.</summary>
    private static readonly (string Email, string Name, UserRole Role)[] Users =
    [
        (SchoolCoordinator, "School Coordinator", UserRole.Coordinator), (DistrictCoordinator, "District Coordinator", UserRole.Coordinator),
        ("provider@scale.test", "Scale Provider", UserRole.Provider), ("cabinet@scale.test", "Scale Cabinet", UserRole.Cabinet), ("admin@scale.test", "Scale Admin", UserRole.Admin),
    ];
    private const int Batch = 2000;
    /// <summary>The district coordinator's schools: 10,000 children with the default 2,000 a school, whatever the tenant's size.</summary>
    private const int DistrictSchools = 5;
    private static readonly string[] Grades = ["PK", "KG", "01", "02", "03", "04", "05", "06", "07", "08"];

    public static async Task<int> SeedAsync(string dbFile, int students, int perSchool)
    {
        // Identity's stores, to create the users as the app does (password hash, authenticator key).
        await using var services = await Benchmarks.AppOnAsync(Path.GetFullPath(dbFile), s => s.AddIdentityCore<AppUser>().AddEntityFrameworkStores<AppDbContext>());
        var f = new Faker("en") { Random = new Randomizer(15) };
        var now = DateTime.UtcNow;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int tenantId;
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            if (await db.Tenants.AnyAsync(t => t.Slug == "scale"))
            {
                Console.Error.WriteLine("This database already has the tenant \"scale\".");
                return 1;
            }
            var tenant = new Tenant { Name = "Scale City", Slug = "scale", TimeZoneId = "America/New_York", CreatedAt = now };
            db.Tenants.Add(tenant);
            await db.SaveChangesAsync();
            tenantId = tenant.Id;
        }
        var today = LocalDays.Of(now, TimeZoneInfo.FindSystemTimeZoneById("America/New_York"));
        var year = SchoolYears.For(today);

        List<int> schoolIds;
        List<Service> serviceList;
        await using (var scope = services.CreateTenantScopeFor(tenantId))
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var schools = Enumerable.Range(1, Math.Max(1, (students + perSchool - 1) / perSchool))
                .Select(i => new School { Name = $"{f.Name.LastName()} School {i}", ExternalId = $"scale-{i}" }).ToList();
            db.Schools.AddRange(schools);
            var orgs = Enumerable.Range(1, 20).Select(i => new ProviderOrganization { Name = $"{f.Company.CompanyName()} {i}" }).ToList();
            db.ProviderOrganizations.AddRange(orgs);
            serviceList = orgs.SelectMany(o => Enum.GetValues<Domain>().Select(d => new Service { Name = $"{d} help", Organization = o, Domain = d, Tier = (ServiceTier)(o.Name.Length % 3) })).ToList();
            db.Services.AddRange(serviceList);
            await db.SaveChangesAsync();
            schoolIds = schools.Select(s => s.Id).ToList();

            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            foreach (var (email, name, role) in Users)
            {
                var user = new AppUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = name, Role = role, TenantId = tenantId, CreatedAt = now, ActivatedAt = now };
                user.CoordinatorSchools.AddRange((email == SchoolCoordinator ? schoolIds.Take(1) : email == DistrictCoordinator ? schoolIds.Take(DistrictSchools) : []).Select(id => new CoordinatorSchool { SchoolId = id }));
                if (role == UserRole.Provider) user.ProviderOrganizationId = orgs[0].Id;
                var created = await users.CreateAsync(user, DemoSeeder.Password);
                if (!created.Succeeded)
                    throw new InvalidOperationException($"{email}: {string.Join("; ", created.Errors.Select(e => e.Description))}");
                if (role == UserRole.Admin)
                {
                    // The demo's authenticator key: an Admin signs in with a second factor (infra/scripts/bench-pages.sh computes the code).
                    await ((IUserAuthenticatorKeyStore<AppUser>)scope.ServiceProvider.GetRequiredService<IUserStore<AppUser>>()).SetAuthenticatorKeyAsync(user, DemoSeeder.AuthenticatorKey, CancellationToken.None);
                    await users.SetTwoFactorEnabledAsync(user, true);
                }
            }
        }

        var statuses = new[] { ReferralStatus.Sent, ReferralStatus.Accepted, ReferralStatus.InService, ReferralStatus.Completed, ReferralStatus.Declined };
        for (var start = 0; start < students; start += Batch)
        {
            await using var scope = services.CreateTenantScopeFor(tenantId);
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            var planned = new List<(Student Student, List<PlanItem> Needs)>();
            for (var i = start; i < Math.Min(students, start + Batch); i++)
            {
                var student = new Student
                {
                    GivenName = f.Name.FirstName(), FamilyName = f.Name.LastName(), SchoolId = schoolIds[i / perSchool], Grade = Grades[i % Grades.Length],
                    ExternalId = $"scale-s{i}", GuardianName = f.Name.FullName(), GuardianPhone = f.Phone.PhoneNumber("###-###-####"),
                };
                db.Students.Add(student);
                // The band by the product's own rule, with the tenant's default thresholds (95, 90, 80 %).
                var absences = f.Random.Int(0, 18);
                var (rate, band) = IndicatorSummary.Rate(60, absences, new IndicatorSummary.Thresholds(95, 90, 80));
                db.StudentIndicators.Add(new StudentIndicators
                {
                    Student = student, AsOf = today, YearDays = 60, YearAbsences = absences, YearAttendance = rate, YearBand = band,
                });
                if (i % 3 != 0)
                    continue;
                var plan = new SuccessPlan { Student = student, SchoolYear = year, Tier = f.Random.Int(1, 3), NextReviewDue = today.AddDays(f.Random.Int(-30, 60)), CreatedAt = now, UpdatedAt = now };
                var needs = Enumerable.Range(0, f.Random.Int(1, 3)).Select(_ => new PlanItem
                {
                    Plan = plan, Domain = f.PickRandom<Domain>(), Kind = PlanItemKind.Need, Description = f.Lorem.Sentence(4),
                    Status = f.Random.Bool(0.7f) ? NeedStatus.Open : NeedStatus.Met, IdentifiedOn = today.AddDays(-f.Random.Int(0, 60)), CreatedAt = now,
                }).ToList();
                db.Plans.Add(plan);
                db.PlanItems.AddRange(needs);
                planned.Add((student, needs));
            }
            await db.SaveChangesAsync();
            foreach (var (student, needs) in planned.Where((_, i) => i % 2 == 0))
            {
                var need = needs[0];
                var service = serviceList[f.Random.Int(0, serviceList.Count - 1)];
                var status = f.PickRandom(statuses);
                var sent = now.AddDays(-f.Random.Int(1, 45));
                var referral = new Referral
                {
                    StudentId = student.Id, NeedId = need.Id, ServiceId = service.Id, OrganizationId = service.OrganizationId, Status = status, SentByName = "Scale",
                    SchoolId = student.SchoolId, Domain = need.Domain, Tier = service.Tier, CreatedAt = sent, SentAt = sent,
                    AnsweredAt = status == ReferralStatus.Sent ? null : sent.AddDays(1),
                };
                if (status is ReferralStatus.InService or ReferralStatus.Completed)
                {
                    for (var d = 0; d < 4; d++)
                        referral.Deliveries.Add(new ServiceDelivery { DeliveredOn = DateOnly.FromDateTime(sent).AddDays(2 + d * 7), Amount = 1, DeliveredBy = "Scale", RecordedAt = now });
                    (referral.FirstServiceAt, referral.FirstServiceOn, referral.DaysToFirstService) = (sent.AddDays(2), DateOnly.FromDateTime(sent).AddDays(2), 2);
                }
                db.Referrals.Add(referral);
            }
            await db.SaveChangesAsync();
        }
        await using (var scope = services.CreateTenantScopeFor(tenantId))
            await SuccessPlans.Features.Cabinet.DeliveryRollup.RebuildAsync(scope.ServiceProvider.GetRequiredService<AppDbContext>(), DateTime.UtcNow);
        string flags;
        await using (var scope = services.CreateTenantScopeFor(tenantId))
            flags = await scope.ServiceProvider.GetRequiredKeyedService<SuccessPlans.Features.Jobs.ITenantJob>(SuccessPlans.Features.Jobs.TenantJobCatalog.NightlyCheck.Name).RunAsync(CancellationToken.None);
        Console.WriteLine($"Added \"Scale City\": {students:N0} students in {schoolIds.Count} schools of {perSchool:N0}; {SchoolCoordinator} (one school), " +
                          $"{DistrictCoordinator} (the first {Math.Min(DistrictSchools, schoolIds.Count)}), provider@, cabinet@ and admin@scale.test, password {DemoSeeder.Password}; nightly check: {flags}. {clock.Elapsed.TotalSeconds:0} s.");
        return 0;
    }
}
