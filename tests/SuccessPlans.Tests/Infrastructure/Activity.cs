using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Referrals;
using SuccessPlans.Features.Students;

namespace SuccessPlans.Tests.Infrastructure;

/// <summary>Work already done in a tenant, made the way users make it: through PlanService's rules and ReferralService.</summary>
public static class Activity
{
    /// <summary>
    /// New children with a plan, a need, consent, and a referral sent and accepted, with one service delivered on
    /// each of the given days. Returns the children's family names (for "no child is visible" checks).
    /// </summary>
    public static Task<List<string>> ServeAsync(this AppFactory app, int tenant, int school, Domain domain, int serviceId, int children, DateOnly[] days, string namePrefix) =>
        app.InTenant(tenant, async (sp, db) =>
        {
            var referrals = sp.GetRequiredService<ReferralService>();
            var actor = new Actor(null, "Test Coordinator");
            var names = new List<string>();
            var identified = days.Length > 0 ? days.Min().AddDays(-30) : DateOnly.FromDateTime(app.Time.GetUtcNow().UtcDateTime);
            for (var i = 0; i < children; i++)
            {
                var student = new Student { GivenName = $"{namePrefix}{i:00}", FamilyName = $"Childname{namePrefix}{i:00}", SchoolId = school, Grade = "05" };
                names.Add(student.FamilyName);
                var plan = new SuccessPlan { Student = student, SchoolYear = SchoolYears.For(identified), Tier = 2, Status = PlanStatus.Active };
                plan.Items.Add(new PlanItem { Domain = domain, Kind = PlanItemKind.Need, Description = "Needs help", Status = NeedStatus.Open, IdentifiedOn = identified });
                db.Plans.Add(plan);
                db.Consents.Add(new Consent { Student = student, GuardianName = "Guardian", GivenOn = identified, SharesWithAnyPartner = true, RecordedByName = "test" });
                await db.SaveChangesAsync();
                var referral = await referrals.SendAsync(student, plan.Items[0].Id, serviceId, actor, false, null);
                await referrals.AcceptAsync(referral, actor, referral.Version);
                foreach (var day in days)
                    await referrals.RecordDeliveryAsync(referral, day, 1, DeliveryUnit.Sessions, null, actor, referral.Version);
            }
            return names;
        });
}
