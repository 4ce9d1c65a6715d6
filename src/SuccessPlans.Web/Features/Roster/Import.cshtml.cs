using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Roster;
using SuccessPlans.Features.Users;
using SuccessPlans.Web.Features.Account;
using SuccessPlans.Web.Hosting;

namespace SuccessPlans.Web.Features.Roster;

/// <summary>
/// Roster import in two steps: upload (a OneRoster zip or the loose CSV files) shows a report of what would
/// change and every rejected row; nothing is written until the Admin confirms.
/// </summary>
[Authorize(Policy = Roles.Admin)]
[RequestSizeLimit(MaxUploadBytes)]
[RequestFormLimits(MultipartBodyLengthLimit = MaxUploadBytes)]
public class ImportModel(AppDbContext db, OneRosterImporter importer, CurrentUser me, TimeProvider time, IStringLocalizer<ImportModel> L) : PageModel
{
    public const long MaxUploadBytes = 256L * 1024 * 1024;

    public RosterUpload? Upload { get; private set; }
    public RosterImportPreview? Preview { get; private set; }
    public IReadOnlyList<RosterUpload> Recent { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(int? id, CancellationToken ct)
    {
        if (id is { } uploadId)
        {
            Upload = await db.RosterUploads.SingleOrDefaultAsync(u => u.Id == uploadId && u.Kind == UploadKind.Roster, ct);
            if (Upload is null) return NotFound();
            if (Upload.Package is not null)
                Preview = await importer.PreviewAsync(Upload.Unpack(), ct);
        }
        await LoadRecentAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostUploadAsync(List<IFormFile> files, CancellationToken ct)
    {
        var (read, error) = await UploadedFiles.ReadAsync(files, L["Choose a OneRoster zip, or orgs.csv and users.csv (with roles.csv for OneRoster 1.2, and demographics.csv if you have it)."], L["Nothing was uploaded."]);
        if (read is null)
        {
            ModelState.AddModelError("files", error!);
            await LoadRecentAsync(ct);
            return Page();
        }
        var upload = new RosterUpload
        {
            UploadedAt = time.GetUtcNow().UtcDateTime,
            UploadedByName = me.DisplayName,
            FileNames = string.Join(", ", files.Select(f => f.FileName))[..Math.Min(1000, string.Join(", ", files.Select(f => f.FileName)).Length)],
            Package = RosterUpload.Pack(read),
        };
        db.RosterUploads.Add(upload);
        await db.SaveChangesAsync(ct);
        return RedirectToPage(new { id = upload.Id });
    }

    public async Task<IActionResult> OnPostApplyAsync(int id, CancellationToken ct)
    {
        var upload = await db.RosterUploads.SingleOrDefaultAsync(u => u.Id == id && u.Kind == UploadKind.Roster, ct);
        if (upload is null) return NotFound();
        if (upload.Package is null)
        {
            TempData["Message"] = L["This upload was already applied or discarded."].Value;
            return RedirectToPage(new { id });
        }
        // Worked out again against the tenant as it is now, so a change since the preview is not lost.
        var preview = await importer.PreviewAsync(upload.Unpack(), ct);
        if (!preview.CanImport)
            return RedirectToPage(new { id });
        var result = await importer.ApplyAsync(preview, new Actor(me.Id, me.DisplayName), upload.Id, ct);
        upload.Package = null;
        upload.AppliedAt = time.GetUtcNow().UtcDateTime;
        upload.Result = StoredText.Write(ImportReports.Roster, result.SchoolsAdded, result.SchoolsUpdated, result.StudentsAdded,
            result.StudentsUpdated, result.StudentsWithdrawn, preview.Rejected.Count);
        db.Entry(upload).State = EntityState.Modified;
        await db.SaveChangesAsync(ct);
        TempData["Message"] = L["Imported. {0}", CoreText.Show(ImportReports.Results.Read(upload.Result))].Value;
        return RedirectToPage(new { id });
    }

    public async Task<IActionResult> OnPostDiscardAsync(int id, CancellationToken ct)
    {
        var upload = await db.RosterUploads.SingleOrDefaultAsync(u => u.Id == id && u.Kind == UploadKind.Roster, ct);
        if (upload is null) return NotFound();
        upload.Package = null;
        upload.Result ??= ImportReports.Discarded;
        await db.SaveChangesAsync(ct);
        TempData["Message"] = L["Discarded; nothing was imported."].Value;
        return RedirectToPage(new { id = (int?)null });
    }

    private async Task LoadRecentAsync(CancellationToken ct) =>
        Recent = await db.RosterUploads.AsNoTracking().Where(u => u.Kind == UploadKind.Roster).OrderByDescending(u => u.UploadedAt).Take(10)
            .Select(u => new RosterUpload { Id = u.Id, UploadedAt = u.UploadedAt, UploadedByName = u.UploadedByName, FileNames = u.FileNames, AppliedAt = u.AppliedAt, Result = u.Result })
            .ToListAsync(ct);
}
