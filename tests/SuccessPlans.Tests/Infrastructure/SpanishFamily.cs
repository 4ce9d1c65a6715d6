using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Referrals;
using SuccessPlans.Features.Students;
using SuccessPlans.Features.Users;

namespace SuccessPlans.Tests.Infrastructure;

/// <summary>
/// A Spanish-speaking family with a full plan (four domains, needs with goals, two helpers, six organizations), and
/// the users around it: the child's coordinator, one of another school, a provider, the cabinet, another tenant's admin.
/// </summary>
public static class SpanishFamily
{
    public sealed record Seeded(int Tenant, int Student);

    public static async Task<Seeded> SeedAsync(AppFactory app)
    {
        var tenant = (await app.CreateTenantAsync("family")).Id;
        var school = (await app.CreateSchoolAsync(tenant, "Escuela Primaria Roberto Clemente")).Id;
        // The tenant's own date (America/New_York), not UTC's: between 00:00 and 05:00 UTC they differ.
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(app.Time.GetUtcNow().UtcDateTime, TimeZoneInfo.FindSystemTimeZoneById("America/New_York")));
        var (student, org) = await app.InTenant(tenant, async (_, db) =>
        {
            var orgs = Enumerable.Range(1, 6).Select(i => new ProviderOrganization { Name = $"Community Partner Organization Number {i} of the Greater Area" }).ToList();
            var services = orgs.Take(2).Select(o => new Service { Name = "After-school tutoring and family support", Organization = o, Domain = Domain.Academic }).ToList();
            db.Services.AddRange(services);
            var child = new Student { GivenName = "María José", FamilyName = "Hernández Villanueva", SchoolId = school, Grade = "03", HomeLanguage = "es", GuardianName = "Rosa Villanueva" };
            var plan = new SuccessPlan { Student = child, SchoolYear = SchoolYears.For(today), Tier = 3, Status = PlanStatus.Active, NextReviewDue = today.AddDays(42) };
            foreach (var d in Enum.GetValues<Domain>())
            {
                plan.Items.Add(new PlanItem { Domain = d, Kind = PlanItemKind.Strength, Description = "Kind to classmates, loves drawing and helps her younger brother every morning" });
                plan.Items.Add(new PlanItem { Domain = d, Kind = PlanItemKind.Need, Description = "Reads about a year below grade level and avoids reading aloud in class", Goal = "Reads grade-level books aloud with confidence by the spring review", Status = NeedStatus.Open, IdentifiedOn = today });
            }
            db.Plans.Add(plan);
            await db.SaveChangesAsync();
            // A measured goal with two values: the student page draws its chart.
            var measured = plan.Items.First(i => i.Kind == PlanItemKind.Need);
            (measured.Measure, measured.MeasureLabel, measured.Baseline, measured.BaselineOn, measured.Target, measured.TargetOn) =
                (GoalMeasure.Recorded, "books read aloud in a month", 1, today.AddDays(-60), 6, today.AddDays(120));
            db.GoalPoints.AddRange(new GoalPoint { NeedId = measured.Id, On = today.AddDays(-30), Value = 2, RecordedBy = "coord" },
                new GoalPoint { NeedId = measured.Id, On = today.AddDays(-3), Value = 4, RecordedBy = "coord" });
            foreach (var s in services)
                db.Referrals.Add(new Referral { StudentId = child.Id, NeedId = plan.Items.First(i => i.Kind == PlanItemKind.Need).Id, ServiceId = s.Id, OrganizationId = s.OrganizationId, SchoolId = school, Status = ReferralStatus.Accepted, SentByName = "coord" });
            await db.SaveChangesAsync();
            return (child.Id, orgs[0].Id);
        });
        await app.CreateUserAsync(tenant, "coord@family.test", UserRole.Coordinator, [school]);
        await app.CreateUserAsync(tenant, "coord.other@family.test", UserRole.Coordinator, [(await app.CreateSchoolAsync(tenant, "Other School")).Id]);
        await app.CreateUserAsync(tenant, "provider@family.test", UserRole.Provider, organizationId: org);
        await app.CreateUserAsync(tenant, "cabinet@family.test", UserRole.Cabinet);
        var other = (await app.CreateTenantAsync("family-other")).Id;
        await app.CreateUserAsync(other, "admin@other.test", UserRole.Admin);
        return new Seeded(tenant, student);
    }
}
