using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SuccessPlans.Csv;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Roster;
using SuccessPlans.Features.Users;

namespace SuccessPlans.Web.Features.Directory;

/// <summary>The Admin's directory: organizations and services, HSDS 3.0 import and export.</summary>
[Authorize(Policy = Roles.Admin)]
[RequestSizeLimit(64L * 1024 * 1024)]
[RequestFormLimits(MultipartBodyLengthLimit = 64L * 1024 * 1024)]
public class IndexModel(AppDbContext db, HsdsImporter importer, HsdsExporter exporter) : PageModel
{
    public IReadOnlyList<ProviderOrganization> Organizations { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) =>
        Organizations = await db.ProviderOrganizations.AsNoTracking().Include(o => o.Services.OrderBy(s => s.Name)).OrderBy(o => o.Name).ToListAsync(ct);

    public async Task<IActionResult> OnGetExportAsync(CancellationToken ct) =>
        File(await exporter.ExportZipAsync(ct), "application/zip", "directory-hsds-3.0.zip");

    /// <summary>A broken file writes nothing: the import saves once, at the end, after every file was read.</summary>
    public async Task<IActionResult> OnPostImportAsync(List<IFormFile> files, CancellationToken ct)
    {
        if (files.Count == 0)
            ModelState.AddModelError("files", "Choose an HSDS zip, or organizations.csv and services.csv (with languages.csv and attributes.csv if you have them).");
        else
        {
            var streams = files.Select(f => (f.FileName, f.OpenReadStream())).ToList();
            try
            {
                // Inside the try: a zip over its bounds is refused like a broken file.
                var read = SuccessPlans.Csv.CsvPackage.ReadFiles(streams);
                foreach (var (_, s) in streams) await s.DisposeAsync();
                var result = await importer.ImportAsync(read, ct);
                TempData["Message"] = $"Imported: {result.OrganizationsAdded} organizations added, {result.OrganizationsUpdated} updated; {result.ServicesAdded} services added, {result.ServicesUpdated} updated.";
                return RedirectToPage();
            }
            catch (ImportFileException e)
            {
                db.ChangeTracker.Clear();
                ModelState.AddModelError("files", $"Nothing was imported. {e.Message}");
            }
        }
        await OnGetAsync(ct);
        return Page();
    }
}
