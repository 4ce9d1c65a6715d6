using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Referrals;
using SuccessPlans.Features.Students;
using SuccessPlans.Features.Users;
using SuccessPlans.Web.Features.Account;
using SuccessPlans.Web.Hosting;

namespace SuccessPlans.Web.Features.Students;

/// <summary>
/// From a need on the plan: the services that fit, then, for the chosen one, exactly what will be shared
/// and on what basis (consent in force, or an Admin's written override) before sending.
/// </summary>
[Authorize(Policy = Policies.StaffOfSchools)]
public class ReferModel(AppDbContext db, StudentAccess access, ReferralService referrals, CurrentUser me) : PageModel
{
    public Student Student { get; private set; } = null!;
    public PlanItem Need { get; private set; } = null!;
    public IReadOnlyList<ServiceMatch> Matches { get; private set; } = [];
    public Service? Chosen { get; private set; }
    public IReadOnlyList<SharedField> Shared { get; private set; } = [];
    public Consent? Consent { get; private set; }
    public bool IsAdmin => me.IsInRole(Roles.Admin);

    [BindProperty(SupportsGet = true)] public int? ServiceId { get; set; }
    [BindProperty] public string? OverrideReason { get; set; }

    public async Task<IActionResult> OnGetAsync(int id, int needId, CancellationToken ct) =>
        await LoadAsync(id, needId, ct) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(int id, int needId, CancellationToken ct)
    {
        if (!await LoadAsync(id, needId, ct) || ServiceId is null) return NotFound();
        try
        {
            var referral = await referrals.SendAsync(Student, needId, ServiceId.Value, access.Actor, IsAdmin, OverrideReason, ct);
            TempData["Message"] = $"Referral sent to {Chosen!.Organization.Name}.";
            return Redirect($"/Students/{id}#referrals");
        }
        catch (ValidationFailedException e)
        {
            foreach (var (field, messages) in e.Errors)
                foreach (var m in messages)
                    ModelState.AddModelError(field == "OverrideReason" ? "OverrideReason" : "", m);
            return Page();
        }
    }

    private async Task<bool> LoadAsync(int id, int needId, CancellationToken ct)
    {
        var student = await access.FindAsync(id, ct);
        if (student is null) return false;
        var need = await db.PlanItems.Include(i => i.Plan).SingleOrDefaultAsync(i => i.Id == needId && i.Plan.StudentId == id && i.Kind == PlanItemKind.Need, ct);
        if (need is null) return false;
        (Student, Need) = (student, need);
        Matches = await referrals.FindServicesAsync(student, need, ct);
        if (ServiceId is { } serviceId)
        {
            Chosen = await db.Services.Include(s => s.Organization).SingleOrDefaultAsync(s => s.Id == serviceId, ct);
            if (Chosen is null) return false;
            Shared = ReferralService.SharedFields(student, need);
            Consent = await referrals.ConsentForAsync(id, Chosen.OrganizationId, ct);
        }
        return true;
    }
}
