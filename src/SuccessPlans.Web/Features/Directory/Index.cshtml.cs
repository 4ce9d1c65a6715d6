using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Users;

namespace SuccessPlans.Web.Features.Directory;

/// <summary>The Admin's directory: organizations and services, HSDS export (import is Directory/Import).</summary>
[Authorize(Policy = Roles.Admin)]
[Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(SuccessPlans.Web.Hosting.RateLimits.Export)]
public class IndexModel(AppDbContext db, HsdsExporter exporter) : PageModel
{
    public IReadOnlyList<ProviderOrganization> Organizations { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) =>
        Organizations = await db.ProviderOrganizations.AsNoTracking().Include(o => o.Services.OrderBy(s => s.Name)).OrderBy(o => o.Name).ToListAsync(ct);

    public async Task<IActionResult> OnGetExportAsync(CancellationToken ct) =>
        File(await exporter.ExportZipAsync(ct), "application/zip", "directory-hsds-3.0.zip");
}
