using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Retention;
using SuccessPlans.Features.Tenants;
using SuccessPlans.Features.Users;
using SuccessPlans.Web.Features.Account;

namespace SuccessPlans.Web.Features.Tenants;

/// <summary>
/// The end of a tenant's contract: the operator downloads the tenant's data (TenantExport), hands it back, then erases
/// the tenant after typing its short name (TenantErasure). The operator has no tenant, so the filter shows every tenant.
/// </summary>
[Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(SuccessPlans.Web.Hosting.RateLimits.Export)]
[Authorize(Policy = Roles.Operator)]
public class CloseModel(AppDbContext db, TenantExport export, TenantErasure erasure, CurrentUser me, IStringLocalizer<CloseModel> L) : PageModel
{
    public Tenant Tenant { get; private set; } = null!;
    public int Users { get; private set; }
    public int Students { get; private set; }

    [BindProperty] public string? Confirmation { get; set; }

    public async Task<IActionResult> OnGetAsync(int? id, CancellationToken ct) =>
        await LoadAsync(id, ct) ? Page() : NotFound();

    /// <summary>The zip of OneRoster CSV, HSDS CSV and plans and referrals as JSON.</summary>
    public async Task<IActionResult> OnGetExportAsync(int? id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        var exported = await export.ExportAsync(Tenant.Id, ct);
        return File(exported.Zip, "application/zip", exported.FileName);
    }

    public async Task<IActionResult> OnPostEraseAsync(int? id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        try
        {
            await erasure.EraseAsync(Tenant.Id, Confirmation, new Actor(me.Id, me.DisplayName), me.Email, ct);
        }
        catch (ValidationFailedException e)
        {
            ModelState.AddErrors(e);
            return Page();
        }
        catch (NotFoundException)
        {
            return NotFound();
        }
        TempData["Message"] = L["{0} was erased: none of its rows remain.", Tenant.Name].Value;
        return RedirectToPage("/Tenants/Index");
    }

    private async Task<bool> LoadAsync(int? id, CancellationToken ct)
    {
        var tenant = id is null ? null : await db.Tenants.AsNoTracking().SingleOrDefaultAsync(t => t.Id == id, ct);
        if (tenant is null) return false;
        Tenant = tenant;
        Users = await db.Users.CountAsync(u => u.TenantId == tenant.Id, ct);
        Students = await db.Students.IgnoreQueryFilters([AppDbContext.TenantFilter]).CountAsync(s => s.TenantId == tenant.Id, ct);
        return true;
    }
}
