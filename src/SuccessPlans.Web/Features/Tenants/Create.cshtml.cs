using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using SuccessPlans.Features.Users;

namespace SuccessPlans.Web.Features.Tenants;

[Authorize(Policy = Roles.Operator)]
public class CreateModel(TenantProvisioning provisioning, IStringLocalizer<CreateModel> L) : PageModel
{
    [BindProperty] public TenantInput Input { get; set; } = new();

    public sealed class TenantInput
    {
        [Display(Name = "Partnership name")] public string Name { get; set; } = "";
        [Display(Name = "Short name (lower-case, e.g. salem)")] public string Slug { get; set; } = "";
        [Display(Name = "Time zone")] public string TimeZoneId { get; set; } = "America/New_York";
        [Display(Name = "First Admin's email")] public string AdminEmail { get; set; } = "";
        [Display(Name = "First Admin's name")] public string AdminName { get; set; } = "";
    }

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var (tenant, errors) = await provisioning.CreateAsync(
            new TenantProvisioning.Request(Input.Name ?? "", (Input.Slug ?? "").Trim(), (Input.TimeZoneId ?? "").Trim(), (Input.AdminEmail ?? "").Trim(), Input.AdminName ?? ""),
            ct);
        if (tenant is null)
        {
            foreach (var (field, message) in errors) ModelState.AddModelError($"Input.{field}", message);
            return Page();
        }
        TempData["Message"] = L["Created {0}; the invitation to {1} is in the outbox.", tenant.Name, Input.AdminEmail ?? ""].Value;
        return RedirectToPage("/Tenants/Index");
    }
}
