using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.Rendering;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Students;
using SuccessPlans.Web.Hosting;

namespace SuccessPlans.Web.Features.Students;

/// <summary>Records a guardian's consent: to services, and to sharing with named organizations or any partner.</summary>
[Authorize(Policy = Policies.StaffOfSchools)]
public class ConsentModel(AppDbContext db, StudentAccess access, PlanService plans, TimeProvider time) : PageModel
{
    public Student Student { get; private set; } = null!;
    public IReadOnlyList<SelectListItem> Organizations { get; private set; } = [];
    [BindProperty] public ConsentInput Input { get; set; } = new();

    public sealed class ConsentInput
    {
        [Required, StringLength(200), Display(Name = "Guardian who gave consent")] public string GuardianName { get; set; } = "";
        [Required, Display(Name = "Date given")] public DateOnly? GivenOn { get; set; }
        [Display(Name = "Consents to services")] public bool CoversServices { get; set; } = true;
        [Display(Name = "Data may be shared with any partner organization")] public bool SharesWithAnyPartner { get; set; }
        [Display(Name = "Or only with these organizations")] public List<int> OrganizationIds { get; set; } = [];
        [Display(Name = "Expires on (optional)")] public DateOnly? ExpiresOn { get; set; }
    }

    public async Task<IActionResult> OnGetAsync(int id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        Input.GuardianName = Student.GuardianName ?? "";
        Input.GivenOn = await plans.TodayAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(int id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        if (Student.Status == StudentStatus.Withdrawn)
            ModelState.AddModelError("", "This student has withdrawn; no new consent can be recorded.");
        var today = await plans.TodayAsync(ct);
        if (Input.GivenOn > today)
            ModelState.AddModelError("Input.GivenOn", "The date given cannot be in the future.");
        if (Input.ExpiresOn is { } expires && Input.GivenOn is { } given && expires < given)
            ModelState.AddModelError("Input.ExpiresOn", "The expiry date is before the date given.");
        var orgIds = Input.SharesWithAnyPartner ? [] : Input.OrganizationIds.Distinct().ToList();
        if (orgIds.Count > 0 && await db.ProviderOrganizations.CountAsync(o => orgIds.Contains(o.Id), ct) != orgIds.Count)
            ModelState.AddModelError("Input.OrganizationIds", "One of the chosen organizations does not exist.");
        if (!Input.CoversServices && !Input.SharesWithAnyPartner && orgIds.Count == 0)
            ModelState.AddModelError("", "A consent must cover services or sharing with at least one organization.");
        if (!ModelState.IsValid)
            return Page();

        var actor = access.Actor;
        var consent = new Consent
        {
            StudentId = id, GuardianName = Input.GuardianName.Trim(), GivenOn = Input.GivenOn!.Value, CoversServices = Input.CoversServices,
            SharesWithAnyPartner = Input.SharesWithAnyPartner, ExpiresOn = Input.ExpiresOn, RecordedByUserId = actor.UserId,
            RecordedByName = actor.Name, RecordedAt = time.GetUtcNow().UtcDateTime,
            Organizations = orgIds.Select(o => new ConsentOrganization { OrganizationId = o }).ToList(),
        };
        db.Consents.Add(consent);
        var names = await db.ProviderOrganizations.Where(o => orgIds.Contains(o.Id)).Select(o => o.Name).ToListAsync(ct);
        plans.Record(id, actor, "consent recorded",
            $"{consent.GuardianName}, given {consent.GivenOn:yyyy-MM-dd}; {(consent.CoversServices ? "services; " : "")}" +
            (consent.SharesWithAnyPartner ? "sharing with any partner" : names.Count == 0 ? "no sharing" : "sharing with " + string.Join(", ", names)) +
            (consent.ExpiresOn is { } e ? $"; expires {e:yyyy-MM-dd}" : ""));
        await db.SaveChangesAsync(ct);
        TempData["Message"] = "Consent recorded.";
        return RedirectToPage("/Students/Details", new { id });
    }

    private async Task<bool> LoadAsync(int id, CancellationToken ct)
    {
        var student = await access.FindAsync(id, ct);
        if (student is null) return false;
        Student = student;
        Organizations = await db.ProviderOrganizations.OrderBy(o => o.Name).Select(o => new SelectListItem(o.Name, o.Id.ToString())).ToListAsync(ct);
        return true;
    }
}
