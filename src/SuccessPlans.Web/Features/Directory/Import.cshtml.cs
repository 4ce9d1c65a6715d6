using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using SuccessPlans.Csv;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Users;
using SuccessPlans.Web.Features.Account;
using SuccessPlans.Web.Hosting;
using SuccessPlans.Features.Roster;

namespace SuccessPlans.Web.Features.Directory;

/// <summary>
/// Directory import in two steps, as the roster's: upload (an HSDS zip or the loose CSV files) shows what would be
/// added, changed and left alone, or every problem by file, line and field; nothing is written until the Admin confirms.
/// </summary>
[Authorize(Policy = Roles.Admin)]
[RequestSizeLimit(MaxUploadBytes)]
[RequestFormLimits(MultipartBodyLengthLimit = MaxUploadBytes)]
public class ImportModel(AppDbContext db, HsdsImporter importer, CurrentUser me, TimeProvider time, IStringLocalizer<ImportModel> L) : PageModel
{
    public const long MaxUploadBytes = 64L * 1024 * 1024;

    public DirectoryUpload? Upload { get; private set; }
    public DirectoryImportPreview? Preview { get; private set; }
    public IReadOnlyList<DirectoryUpload> Recent { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(int? id, CancellationToken ct)
    {
        if (id is { } uploadId)
        {
            Upload = await db.DirectoryUploads.AsNoTracking().SingleOrDefaultAsync(u => u.Id == uploadId, ct);
            if (Upload is null) return NotFound();
            if (Upload.Package is not null)
                Preview = await importer.PreviewAsync(CsvPackage.Unzip(Upload.Package), ct);
        }
        await LoadRecentAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostUploadAsync(List<IFormFile> files, CancellationToken ct)
    {
        var (read, error) = await UploadedFiles.ReadAsync(files, L["Choose an HSDS zip, or organizations.csv and services.csv (with the package's other CSV files if you have them)."], L["Nothing was imported."]);
        if (read is null)
        {
            ModelState.AddModelError("files", error!);
            await LoadRecentAsync(ct);
            return Page();
        }
        var names = string.Join(", ", files.Select(f => f.FileName));
        var upload = new DirectoryUpload
        {
            UploadedAt = time.GetUtcNow().UtcDateTime,
            UploadedByName = me.DisplayName,
            FileNames = names[..Math.Min(1000, names.Length)],
            Package = CsvPackage.Zip(read),
        };
        db.DirectoryUploads.Add(upload);
        await db.SaveChangesAsync(ct);
        return RedirectToPage(new { id = upload.Id });
    }

    public async Task<IActionResult> OnPostApplyAsync(int id, CancellationToken ct)
    {
        var upload = await db.DirectoryUploads.SingleOrDefaultAsync(u => u.Id == id, ct);
        if (upload is null) return NotFound();
        if (upload.Package is null)
        {
            TempData["Message"] = L["This upload was already applied or discarded."].Value;
            return RedirectToPage(new { id });
        }
        // Worked out again against the directory as it is now, so a change since the preview is not lost.
        var done = await importer.ApplyAsync(CsvPackage.Unzip(upload.Package), ct);
        if (!done.CanImport)
            return RedirectToPage(new { id });
        upload = await db.DirectoryUploads.SingleAsync(u => u.Id == id, ct);
        upload.Package = null;
        upload.AppliedAt = time.GetUtcNow().UtcDateTime;
        upload.Result = StoredText.Write(ImportReports.Directory, done.Version, done.Organizations.Added, done.Organizations.Changed, done.Services.Added,
            done.Services.Changed, done.Locations.Added, done.Locations.Changed, done.LinksAdded, done.LinksRemoved, done.TermsAdded, done.TermsRemoved);
        await db.SaveChangesAsync(ct);
        TempData["Message"] = L["Imported. {0}", CoreText.Show(ImportReports.Results.Read(upload.Result))].Value;
        return RedirectToPage(new { id });
    }

    public async Task<IActionResult> OnPostDiscardAsync(int id, CancellationToken ct)
    {
        var upload = await db.DirectoryUploads.SingleOrDefaultAsync(u => u.Id == id, ct);
        if (upload is null) return NotFound();
        upload.Package = null;
        upload.Result ??= ImportReports.Discarded;
        await db.SaveChangesAsync(ct);
        TempData["Message"] = L["Discarded; nothing was imported."].Value;
        return RedirectToPage(new { id = (int?)null });
    }

    private async Task LoadRecentAsync(CancellationToken ct) =>
        Recent = await db.DirectoryUploads.AsNoTracking().OrderByDescending(u => u.UploadedAt).Take(10)
            .Select(u => new DirectoryUpload { Id = u.Id, UploadedAt = u.UploadedAt, UploadedByName = u.UploadedByName, FileNames = u.FileNames, AppliedAt = u.AppliedAt, Result = u.Result })
            .ToListAsync(ct);
}
