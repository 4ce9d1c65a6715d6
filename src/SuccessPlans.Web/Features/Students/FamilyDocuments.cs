using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using SuccessPlans.Features.Audit;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Referrals;
using SuccessPlans.Features.Students;
using SuccessPlans.Web.Features.Audit;
using SuccessPlans.Web.Hosting;

namespace SuccessPlans.Web.Features.Students;

/// <summary>
/// The texts of the documents handed to a family (Resources/Features/Students/FamilyDocuments.resx and its
/// translations), and the language each family reads: their home language where a translation exists, else English.
/// </summary>
public sealed class FamilyDocuments
{
    /// <summary>Languages with a complete translation of the family documents (a test holds them to every English key).</summary>
    public static readonly IReadOnlyList<string> Translated = ["es"];

    public static CultureInfo CultureFor(string? homeLanguage)
    {
        var code = homeLanguage?.Trim().Split('-', '_')[0].ToLowerInvariant();
        if (code is not null && Translated.Contains(code))
        {
            // Under invariant globalization no culture but the invariant one exists: the documents stay in English.
            try { return CultureInfo.GetCultureInfo(code, predefinedOnly: true); }
            catch (CultureNotFoundException) { }
        }
        return CultureInfo.GetCultureInfo("en");
    }
}

/// <summary>What the two family pages share: the child (as the student page allows), the language, the access-log entry.</summary>
[Authorize(Policy = Policies.StaffOfSchools)]
public abstract class FamilyDocumentModel(StudentAccess access, AccessRecorder accessLog) : PageModel
{
    public Student Student { get; private set; } = null!;
    public CultureInfo Culture { get; private set; } = CultureInfo.InvariantCulture;

    protected async Task<bool> LoadStudentAsync(int id, CancellationToken ct)
    {
        if (await access.FindAsync(id, ct) is not { } student) return false;
        Student = student;
        Culture = FamilyDocuments.CultureFor(student.HomeLanguage);
        return true;
    }

    protected Task RecordAsync(AccessAction action, int? planId, CancellationToken ct) => accessLog.RecordAsync(action, Student.Id, planId, ct: ct);
}

/// <summary>A one-page success plan for the family: strengths, needs and goals, who is helping, the next review.</summary>
public class FamilyPlanModel(AppDbContext db, StudentAccess access, PlanService plans, AccessRecorder accessLog) : FamilyDocumentModel(access, accessLog)
{
    public SuccessPlan? Plan { get; private set; }
    public IReadOnlyList<(string Organization, string Service)> Helpers { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(int id, CancellationToken ct)
    {
        if (!await LoadStudentAsync(id, ct)) return NotFound();
        var year = SchoolYears.For(await plans.TodayAsync(ct));
        Plan = await db.Plans.AsNoTracking().Include(p => p.Items).SingleOrDefaultAsync(p => p.StudentId == id && p.SchoolYear == year, ct);
        if (Plan is not null)
        {
            var helping = await db.Referrals.AsNoTracking()
                .Where(r => r.Need.PlanId == Plan.Id && (r.Status == ReferralStatus.Sent || r.Status == ReferralStatus.Accepted || r.Status == ReferralStatus.InService))
                .OrderBy(r => r.Organization.Name).Select(r => new { Organization = r.Organization.Name, Service = r.Service.Name }).Distinct().ToListAsync(ct);
            Helpers = helping.Select(h => (h.Organization, h.Service)).ToList();
        }
        await RecordAsync(AccessAction.ViewPlan, Plan?.Id, ct);
        return Page();
    }
}

/// <summary>The guardian's consent form: what is shared, with whom, for how long, how to revoke.</summary>
public class FamilyConsentModel(AppDbContext db, StudentAccess access, PlanService plans, AccessRecorder accessLog) : FamilyDocumentModel(access, accessLog)
{
    public IReadOnlyList<string> Organizations { get; private set; } = [];
    public DateOnly Until { get; private set; }

    public async Task<IActionResult> OnGetAsync(int id, CancellationToken ct)
    {
        if (!await LoadStudentAsync(id, ct)) return NotFound();
        var today = await plans.TodayAsync(ct);
        // A consent lasts the school year (to June 30th), the usual term of a district's release form.
        Until = new DateOnly(SchoolYears.For(today) + 1, 6, 30);
        // The directory's organizations for the guardian to tick; six keep the form on one printed page.
        Organizations = await db.ProviderOrganizations.AsNoTracking().OrderBy(o => o.Name).Select(o => o.Name).Take(6).ToListAsync(ct);
        await RecordAsync(AccessAction.ViewStudent, null, ct);
        return Page();
    }
}
