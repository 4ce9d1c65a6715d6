using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Users;
using SuccessPlans.Web.Features.Account;

namespace SuccessPlans.Web.Features.ApiKeys;

/// <summary>API keys of a provider organization: its own users manage them, and the tenant's Admin for any organization.</summary>
[Authorize(Roles = $"{Roles.Admin},{Roles.Provider}")]
[Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(SuccessPlans.Web.Hosting.RateLimits.ApiKey)]
public class IndexModel(AppDbContext db, CurrentUser me, CurrentTenant tenant, TimeProvider time, IStringLocalizer<IndexModel> L) : PageModel
{
    [BindProperty(SupportsGet = true)] public int? OrganizationId { get; set; }
    public ProviderOrganization Organization { get; private set; } = null!;
    public IReadOnlyList<ApiKey> Keys { get; private set; } = [];
    public string? NewKey { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) => await LoadAsync(ct) ? Page() : NotFound();

    public async Task<IActionResult> OnPostCreateAsync(string? name, CancellationToken ct)
    {
        if (!await LoadAsync(ct)) return NotFound();
        if (string.IsNullOrWhiteSpace(name) || name.Trim().Length > 100)
        {
            ModelState.AddModelError("name", L["Name the key (up to 100 characters), for example the system that will use it."]);
            return Page();
        }
        var (key, secret) = ApiKey.Create(tenant.TenantId!.Value, Organization.Id, name.Trim(), me.DisplayName, time.GetUtcNow().UtcDateTime);
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(ct);
        await LoadAsync(ct);
        // Shown once, in this response only; only its hash is stored.
        NewKey = secret;
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(int keyId, CancellationToken ct)
    {
        if (!await LoadAsync(ct)) return NotFound();
        var key = await db.ApiKeys.SingleOrDefaultAsync(k => k.Id == keyId && k.OrganizationId == Organization.Id, ct);
        if (key is null) return NotFound();
        key.RevokedAt ??= time.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
        TempData["Message"] = L["Revoked the key {0}; it no longer works.", key.Name].Value;
        return RedirectToPage(new { OrganizationId = me.IsInRole(Roles.Admin) ? Organization.Id : (int?)null });
    }

    private async Task<bool> LoadAsync(CancellationToken ct)
    {
        var orgId = me.IsInRole(Roles.Admin) ? OrganizationId : await me.ProviderOrganizationIdAsync(ct);
        var org = orgId is null ? null : await db.ProviderOrganizations.AsNoTracking().SingleOrDefaultAsync(o => o.Id == orgId, ct);
        if (org is null) return false;
        Organization = org;
        Keys = await db.ApiKeys.AsNoTracking().Where(k => k.OrganizationId == org.Id).OrderByDescending(k => k.CreatedAt).ToListAsync(ct);
        return true;
    }
}
