using SuccessPlans.Data;
using SuccessPlans.Features.Flags;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Referrals;

namespace SuccessPlans.Features.Students;

/// <summary>
/// The queries of a student's page, one per section, untracked (here, not in the page, so their SQL Server
/// translation is tested without a server). The caller has checked the user may see the student.
/// </summary>
public static class StudentPage
{
    public static IQueryable<SuccessPlan> PastPlans(AppDbContext db, int studentId, int schoolYear) =>
        db.Plans.AsNoTracking().Include(p => p.Items).Where(p => p.StudentId == studentId && p.SchoolYear != schoolYear).OrderByDescending(p => p.SchoolYear);

    public static IQueryable<Consent> Consents(AppDbContext db, int studentId) =>
        db.Consents.AsNoTracking().Include(c => c.Organizations).ThenInclude(o => o.Organization)
            .Where(c => c.StudentId == studentId).OrderByDescending(c => c.GivenOn).ThenByDescending(c => c.Id);

    public static IQueryable<Review> Reviews(AppDbContext db, int studentId) =>
        db.Reviews.AsNoTracking().Where(r => r.StudentId == studentId).OrderByDescending(r => r.SchoolYear).ThenByDescending(r => r.Term);

    public static IQueryable<Referral> Referrals(AppDbContext db, int studentId) =>
        db.Referrals.AsNoTracking().Include(r => r.Service).Include(r => r.Organization).Include(r => r.Deliveries).Include(r => r.Need)
            .Where(r => r.StudentId == studentId).OrderByDescending(r => r.CreatedAt);

    public static IQueryable<Flag> OpenFlags(AppDbContext db, int studentId) =>
        db.Flags.AsNoTracking().Where(f => f.StudentId == studentId && f.ResolvedAt == null).OrderBy(f => f.Kind);

    public static IQueryable<Disclosure> Disclosures(AppDbContext db, int studentId) =>
        db.Disclosures.AsNoTracking().Include(d => d.Organization).Where(d => d.StudentId == studentId).OrderByDescending(d => d.At);

    /// <summary>The newest 200 changes.</summary>
    public static IQueryable<StudentEvent> History(AppDbContext db, int studentId) =>
        db.StudentEvents.AsNoTracking().Where(e => e.StudentId == studentId).OrderByDescending(e => e.At).ThenByDescending(e => e.Id).Take(200);

    public static IQueryable<CaseNote> Notes(AppDbContext db, int studentId) =>
        db.CaseNotes.AsNoTracking().Where(n => n.StudentId == studentId).OrderByDescending(n => n.At).ThenByDescending(n => n.Id);

    public static IQueryable<ReferralMessage> Messages(AppDbContext db, IReadOnlyCollection<int> referralIds) =>
        db.ReferralMessages.AsNoTracking().Where(m => referralIds.Contains(m.ReferralId)).OrderBy(m => m.At).ThenBy(m => m.Id);
}
