using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.Rendering;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Students;
using SuccessPlans.Web.Hosting;

namespace SuccessPlans.Web.Features.Students;

/// <summary>
/// Records a guardian's consent (the rules are ConsentService's). Opened from a referral, it comes with the chosen
/// service's organization ticked and goes back to the referral afterwards.
/// </summary>
[Authorize(Policy = Policies.StaffOfSchools)]
public class ConsentModel(AppDbContext db, StudentAccess access, PlanService plans, ConsentService consents) : PageModel
{
    public Student Student { get; private set; } = null!;
    public IReadOnlyList<SelectListItem> Organizations { get; private set; } = [];
    [BindProperty] public ConsentInput Input { get; set; } = new();

    /// <summary>Where to go after saving or cancelling; followed only when it is an address of this app.</summary>
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }

    public string BackUrl => Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : $"/Students/{Student.Id}";

    public sealed class ConsentInput
    {
        [Display(Name = "Guardian who gave consent")] public string? GuardianName { get; set; }
        [Display(Name = "Date given")] public DateOnly? GivenOn { get; set; }
        [Display(Name = "Consents to services")] public bool CoversServices { get; set; } = true;
        [Display(Name = "Data may be shared with any partner organization")] public bool SharesWithAnyPartner { get; set; }
        [Display(Name = "Or only with these organizations")] public List<int> OrganizationIds { get; set; } = [];
        [Display(Name = "Expires on (optional)")] public DateOnly? ExpiresOn { get; set; }
    }

    public async Task<IActionResult> OnGetAsync(int id, [FromQuery] string? organizationId, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        Input.GuardianName = Student.GuardianName ?? "";
        Input.GivenOn = await plans.TodayAsync(ct);
        // The organization of the service being referred to, when it is one of this tenant's.
        if (int.TryParse(organizationId, out var orgId) && Organizations.Any(o => o.Value == orgId.ToString()))
            Input.OrganizationIds = [orgId];
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(int id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        if (!ModelState.IsValid) return Page(); // a value that is not a date or a number: said on the form already
        try
        {
            await consents.RecordAsync(Student, new ConsentRequest(Input.GuardianName, Input.GivenOn, Input.CoversServices, Input.SharesWithAnyPartner,
                Input.OrganizationIds, Input.ExpiresOn), access.Actor, ct);
        }
        catch (ValidationFailedException e)
        {
            ModelState.AddErrors(e, field => field.Length == 0 ? "" : $"{nameof(Input)}.{field}");
            return Page();
        }
        TempData["Message"] = "Consent recorded.";
        return Url.IsLocalUrl(ReturnUrl) ? LocalRedirect(ReturnUrl) : RedirectToPage("/Students/Details", new { id });
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
