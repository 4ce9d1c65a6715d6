using SuccessPlans.Data;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Referrals;
using SuccessPlans.Features.Students;

namespace SuccessPlans.Tests.Infrastructure;

/// <summary>Test data for the coordinator's pages.</summary>
public static class Caseloads
{
    /// <summary>
    /// Adds (not saved) <paramref name="count"/> children of grade 03 at <paramref name="schoolId"/>, each with an active plan
    /// of school year 2026 (shaped further by <paramref name="plan"/>), an open need and a referral sent at
    /// <paramref name="sentAt"/> with no answer, to one tutoring service.
    /// </summary>
    public static void AddChildrenAwaitingAnswers(AppDbContext db, int schoolId, int count, DateTime sentAt, Action<int, SuccessPlan>? plan = null)
    {
        var service = new Service { Name = "Tutoring", Organization = new ProviderOrganization { Name = "Helpers" }, Domain = Domain.Academic };
        db.Services.Add(service);
        for (var i = 0; i < count; i++)
        {
            var student = new Student { SchoolId = schoolId, GivenName = $"C{i:00}", FamilyName = "Elm", Grade = "03" };
            var p = new SuccessPlan { Student = student, SchoolYear = 2026, Tier = 1, Status = PlanStatus.Active };
            plan?.Invoke(i, p);
            var need = new PlanItem { Domain = Domain.Academic, Kind = PlanItemKind.Need, Description = $"Reading {i}", Status = NeedStatus.Open, IdentifiedOn = new DateOnly(2026, 10, 1) };
            p.Items.Add(need);
            db.Plans.Add(p);
            db.Referrals.Add(new Referral { Student = student, Need = need, Service = service, Organization = service.Organization, SchoolId = schoolId,
                Status = ReferralStatus.Sent, SentByName = "coord", SentAt = sentAt });
        }
    }
}
