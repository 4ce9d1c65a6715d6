using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using SuccessPlans.Csv;
using SuccessPlans.Features.Indicators;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Roster;
using SuccessPlans.Features.Users;
using SuccessPlans.Web.Features.Account;
using SuccessPlans.Web.Hosting;

namespace SuccessPlans.Web.Features.Roster;

/// <summary>
/// Indicator data (attendance, incidents, marks) in two steps like the roster: the upload shows what would change or every
/// bad row with file and line, and nothing is written until the Admin confirms a clean report.
/// </summary>
[Authorize(Policy = Roles.Admin)]
[RequestSizeLimit(ImportModel.MaxUploadBytes)]
[RequestFormLimits(MultipartBodyLengthLimit = ImportModel.MaxUploadBytes)]
public class IndicatorsModel(AppDbContext db, IndicatorImporter importer, PlanService plans, CurrentUser me, TimeProvider time, IConfiguration configuration, IStringLocalizer<IndicatorsModel> L) : PageModel
{
    /// <summary>
    /// How much an upload may unpack to (Indicators:MaxUnpackedMegabytes): a year of daily attendance for 50,000 students
    /// is some 500 MB of CSV, so twice that, above the roster's bound. The files are streamed, never held as text.
    /// </summary>
    private ZipBounds Bounds => ZipBounds.Default with
    {
        MaxUnpackedBytes = configuration.GetValue("Indicators:MaxUnpackedMegabytes", 1024L) * 1024 * 1024,
    };

    public RosterUpload? Upload { get; private set; }
    public IndicatorImportPreview? Preview { get; private set; }
    public IReadOnlyList<RosterUpload> Recent { get; private set; } = [];

    private IQueryable<RosterUpload> Uploads => db.RosterUploads.Where(u => u.Kind == UploadKind.Indicators);

    public async Task<IActionResult> OnGetAsync(int? id, CancellationToken ct)
    {
        if (id is { } uploadId)
        {
            Upload = await Uploads.SingleOrDefaultAsync(u => u.Id == uploadId, ct);
            if (Upload is null) return NotFound();
            if (Upload.Package is not null)
                Preview = await importer.PreviewAsync(CsvPackage.Openers(Upload.Package), ct);
        }
        await LoadRecentAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostUploadAsync(List<IFormFile> files, CancellationToken ct)
    {
        var (package, error) = await UploadedFiles.PackAsync(files, Bounds, L["Choose a zip or the CSV files: attendance.csv with calendarDates.csv, incidents.csv, or results.csv with lineItems.csv."], L["Nothing was uploaded."]);
        if (package is null)
        {
            ModelState.AddModelError("files", error!);
            await LoadRecentAsync(ct);
            return Page();
        }
        var names = string.Join(", ", files.Select(f => f.FileName));
        var upload = new RosterUpload
        {
            Kind = UploadKind.Indicators,
            UploadedAt = time.GetUtcNow().UtcDateTime,
            UploadedByName = me.DisplayName,
            FileNames = names[..Math.Min(1000, names.Length)],
            Package = package,
        };
        db.RosterUploads.Add(upload);
        await db.SaveChangesAsync(ct);
        return RedirectToPage(new { id = upload.Id });
    }

    public async Task<IActionResult> OnPostApplyAsync(int id, CancellationToken ct)
    {
        var upload = await Uploads.SingleOrDefaultAsync(u => u.Id == id, ct);
        if (upload is null) return NotFound();
        if (upload.Package is null)
        {
            TempData["Message"] = L["This upload was already applied or discarded."].Value;
            return RedirectToPage(new { id });
        }
        // Worked out again against the tenant as it is now, so a change since the preview is not lost.
        var preview = await importer.PreviewAsync(CsvPackage.Openers(upload.Package), ct);
        if (!preview.CanImport)
            return RedirectToPage(new { id });
        var result = await importer.ApplyAsync(preview, await plans.TodayAsync(ct), ct);
        upload.Package = null;
        upload.AppliedAt = time.GetUtcNow().UtcDateTime;
        upload.Result = result[..Math.Min(1000, result.Length)];
        await db.SaveChangesAsync(ct);
        TempData["Message"] = L["Imported. {0}", CoreText.Show(ImportReports.Results.Read(upload.Result))].Value;
        return RedirectToPage(new { id });
    }

    public async Task<IActionResult> OnPostDiscardAsync(int id, CancellationToken ct)
    {
        var upload = await Uploads.SingleOrDefaultAsync(u => u.Id == id, ct);
        if (upload is null) return NotFound();
        upload.Package = null;
        upload.Result ??= ImportReports.Discarded;
        await db.SaveChangesAsync(ct);
        TempData["Message"] = L["Discarded; nothing was imported."].Value;
        return RedirectToPage(new { id = (int?)null });
    }

    private async Task LoadRecentAsync(CancellationToken ct) =>
        Recent = await Uploads.AsNoTracking().OrderByDescending(u => u.UploadedAt).Take(10)
            .Select(u => new RosterUpload { Id = u.Id, UploadedAt = u.UploadedAt, UploadedByName = u.UploadedByName, FileNames = u.FileNames, AppliedAt = u.AppliedAt, Result = u.Result })
            .ToListAsync(ct);
}
