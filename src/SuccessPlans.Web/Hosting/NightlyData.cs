using Bogus;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Referrals;
using SuccessPlans.Features.Schools;
using SuccessPlans.Features.Students;
using SuccessPlans.Features.Tenants;
using SuccessPlans.Features.Users;

namespace SuccessPlans.Web.Hosting;

/// <summary>Bogus data at city scale for the nightly-check benchmark: deterministic, written in batches.</summary>
internal static class NightlyData
{
    public sealed record Counts(int Needs, int Referrals, int Deliveries);

    private const int Batch = 2000;

    /// <summary>
    /// A tenant on New York time with <paramref name="schools"/> schools (org sourcedIds s1, s2 ...), where every
    /// benchmark's data begins; the school ids in order.
    /// </summary>
    public static async Task<(int TenantId, List<int> SchoolIds)> SeedTenantAsync(IServiceProvider services, string name, string slug, int schools)
    {
        int tenantId;
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var tenant = new Tenant { Name = name, Slug = slug, TimeZoneId = "America/New_York", CreatedAt = DateTime.UtcNow };
            db.Tenants.Add(tenant);
            await db.SaveChangesAsync();
            tenantId = tenant.Id;
        }
        await using (var scope = services.GetRequiredService<IServiceScopeFactory>().CreateTenantScope(tenantId))
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var created = Enumerable.Range(1, schools).Select(i => new School { Name = $"School {i}", ExternalId = $"s{i}" }).ToList();
            db.Schools.AddRange(created);
            await db.SaveChangesAsync();
            return (tenantId, created.Select(s => s.Id).ToList());
        }
    }

    /// <param name="weekly">
    /// False: referrals sent in the last 60 days with daily services (the nightly check's worst case).
    /// True: referrals sent in the first half of the last whole school year, each served weekly within it:
    /// a year of history for the cabinet.
    /// </param>
    /// <param name="slug">The tenant's slug, also its users' email domain (another tenant than the benchmark's "bench").</param>
    public static async Task<(int TenantId, Counts Counts)> SeedAsync(IServiceProvider services, int students, bool weekly = false,
        string name = "Benchmark City", string slug = "bench")
    {
        var f = new Faker("en") { Random = new Randomizer(7) };
        var now = DateTime.UtcNow;
        var today = DateOnly.FromDateTime(now);
        var lastYearStart = new DateTime(SchoolYears.For(today) - 1, 8, 1, 15, 0, 0, DateTimeKind.Utc);
        var (tenantId, schoolIds) = await SeedTenantAsync(services, name, slug, Math.Max(2, students / 450));

        List<int> serviceIds, orgOfService;
        List<ServiceTier?> tierOfService;
        await using (var scope = services.GetRequiredService<IServiceScopeFactory>().CreateTenantScope(tenantId))
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var orgs = Enumerable.Range(1, Math.Max(5, students / 250)).Select(i => new ProviderOrganization { Name = $"Provider {i}" }).ToList();
            db.ProviderOrganizations.AddRange(orgs);
            await db.SaveChangesAsync();
            var svc = orgs.SelectMany(o => Enum.GetValues<Domain>().Select(d => new Service { Name = $"{d} help", Organization = o, Domain = d, Tier = (ServiceTier)((o.Name.Length + (int)d) % 3) })).ToList();
            db.Services.AddRange(svc);
            await db.SaveChangesAsync();
            for (var i = 0; i < Math.Max(2, students / 450); i += 2)
            {
                var coordinator = new AppUser { UserName = $"c{i}@{slug}.test", Email = $"c{i}@{slug}.test", NormalizedEmail = $"C{i}@{slug}.TEST".ToUpperInvariant(), NormalizedUserName = $"C{i}@{slug}.TEST".ToUpperInvariant(), DisplayName = $"Coordinator {i}", Role = UserRole.Coordinator, SecurityStamp = Guid.NewGuid().ToString() };
                db.Users.Add(coordinator);
                await db.SaveChangesAsync();
                db.CoordinatorSchools.AddRange(schoolIds.Skip(i).Take(2).Select(s => new CoordinatorSchool { UserId = coordinator.Id, SchoolId = s }));
            }
            await db.SaveChangesAsync();
            (serviceIds, orgOfService, tierOfService) = (svc.Select(s => s.Id).ToList(), svc.Select(s => s.OrganizationId).ToList(), svc.Select(s => s.Tier).ToList());
        }

        int needs = 0, referrals = 0, deliveries = 0;
        var statuses = new[] { ReferralStatus.Sent, ReferralStatus.Accepted, ReferralStatus.InService, ReferralStatus.Completed, ReferralStatus.Declined };
        for (var start = 0; start < students; start += Batch)
        {
            await using var scope = services.GetRequiredService<IServiceScopeFactory>().CreateTenantScope(tenantId);
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            var batch = new List<(Student Student, SuccessPlan Plan, List<PlanItem> Needs)>();
            var served = new List<(Referral Referral, DateOnly Sent)>();
            for (var i = start; i < Math.Min(students, start + Batch); i++)
            {
                var student = new Student { GivenName = f.Name.FirstName(), FamilyName = f.Name.LastName(), SchoolId = schoolIds[i % schoolIds.Count], Grade = "03" };
                var plan = new SuccessPlan { Student = student, SchoolYear = 2026, Tier = f.Random.Int(1, 3), NextReviewDue = today.AddDays(f.Random.Int(-30, 60)), CreatedAt = now, UpdatedAt = now };
                var items = Enumerable.Range(0, 3).Select(_ => new PlanItem
                {
                    Plan = plan, Domain = f.PickRandom<Domain>(), Kind = PlanItemKind.Need, Description = f.Lorem.Sentence(4),
                    Status = f.Random.Bool(0.7f) ? NeedStatus.Open : NeedStatus.Met, IdentifiedOn = today.AddDays(-f.Random.Int(0, 90)), CreatedAt = now,
                }).ToList();
                db.Students.Add(student);
                db.Plans.Add(plan);
                db.PlanItems.AddRange(items);
                batch.Add((student, plan, items));
            }
            await db.SaveChangesAsync();
            foreach (var (student, _, items) in batch)
            {
                foreach (var need in items.Take(2))
                {
                    var s = f.Random.Int(0, serviceIds.Count - 1);
                    var status = f.PickRandom(statuses);
                    var sent = weekly ? lastYearStart.AddDays(f.Random.Int(0, 180)) : now.AddDays(-f.Random.Int(0, 60));
                    var referral = new Referral
                    {
                        StudentId = student.Id, NeedId = need.Id, ServiceId = serviceIds[s], OrganizationId = orgOfService[s], Status = status, SentByName = "bench",
                        SchoolId = student.SchoolId, Domain = need.Domain, Tier = tierOfService[s],
                        CreatedAt = sent, SentAt = sent, AnsweredAt = status == ReferralStatus.Sent ? null : sent.AddDays(2),
                    };
                    if (status is ReferralStatus.InService or ReferralStatus.Completed)
                    {
                        served.Add((referral, DateOnly.FromDateTime(sent)));
                        (referral.FirstServiceAt, referral.FirstServiceOn, referral.DaysToFirstService) = (sent.AddDays(3), DateOnly.FromDateTime(sent).AddDays(3), 3);
                    }
                    db.Referrals.Add(referral);
                    referrals++;
                }
                needs += items.Count;
            }
            await db.SaveChangesAsync();
            // The deliveries (a million at 50,000 students) in multi-row INSERTs, not through the change tracker: seeding
            // 50,000 students took longer than a session through EF. The rollups are rebuilt from them below.
            var rows = served.SelectMany(s => Enumerable.Range(0, 25).Select(d => new ServiceDelivery
            {
                ReferralId = s.Referral.Id, DeliveredOn = s.Sent.AddDays(3 + d * (weekly ? 7 : 1)), Amount = 1, DeliveredBy = "bench", RecordedAt = now,
            })).ToList();
            await db.InTransactionAsync(ct => SuccessPlans.Data.BulkInsert.DeliveriesAsync(db, tenantId, rows, ct));
            deliveries += rows.Count;
        }
        await using (var scope = services.GetRequiredService<IServiceScopeFactory>().CreateTenantScope(tenantId))
        {
            await SuccessPlans.Features.Cabinet.DeliveryRollup.RebuildAsync(scope.ServiceProvider.GetRequiredService<AppDbContext>(), DateTime.UtcNow);
            await SuccessPlans.Features.Cabinet.FunnelRollup.RebuildAsync(scope.ServiceProvider.GetRequiredService<AppDbContext>());
        }
        return (tenantId, new Counts(needs, referrals, deliveries));
    }
}
