using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.Rendering;
using SuccessPlans.Features.Audit;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Users;

namespace SuccessPlans.Web.Features.Audit;

/// <summary>The Admin's access log: who saw which child's data, filtered, paged, and exported as CSV (the export is logged).</summary>
[Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(SuccessPlans.Web.Hosting.RateLimits.Export)]
[Authorize(Policy = Roles.Admin)]
public class IndexModel(AppDbContext db, AccessLog log, AccessRecorder recorder) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "user")] public int? UserFilter { get; set; }
    [BindProperty(SupportsGet = true)] public string? Child { get; set; }
    [BindProperty(SupportsGet = true, Name = "what")] public AccessAction? ActionFilter { get; set; }
    [BindProperty(SupportsGet = true)] public DateOnly? From { get; set; }
    [BindProperty(SupportsGet = true)] public DateOnly? To { get; set; }
    [BindProperty(SupportsGet = true, Name = "p")] public int PageNumber { get; set; } = 1;

    public AuditPage? Result { get; private set; }
    public IReadOnlyList<SelectListItem> Users { get; private set; } = [];
    public TimeZoneInfo Zone { get; private set; } = TimeZoneInfo.Utc;

    private AuditFilter Filter => new(UserFilter, Child, ActionFilter, From, To);

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        await LoadChoicesAsync(ct);
        if (!ModelState.IsValid) return Page();
        try
        {
            Result = await log.SearchAsync(Filter, PageNumber, ct);
        }
        catch (ValidationFailedException e)
        {
            foreach (var (field, messages) in e.Errors) foreach (var m in messages) ModelState.AddModelError(field, m);
        }
        return Page();
    }

    /// <summary>The filtered log as CSV; downloading it is itself an entry in the log.</summary>
    public async Task<IActionResult> OnGetExportAsync(CancellationToken ct)
    {
        if (!ModelState.IsValid) return await OnGetAsync(ct);
        string csv;
        try
        {
            csv = await log.ExportCsvAsync(Filter, ct);
        }
        catch (ValidationFailedException)
        {
            return await OnGetAsync(ct);
        }
        await recorder.RecordAsync(AccessAction.ExportCsv, null, ct: ct);
        byte[] bytes = [.. System.Text.Encoding.UTF8.GetPreamble(), .. System.Text.Encoding.UTF8.GetBytes(csv)];
        return File(bytes, "text/csv; charset=utf-8", "access-log.csv");
    }

    private async Task LoadChoicesAsync(CancellationToken ct)
    {
        Zone = (await db.Tenants.AsNoTracking().SingleAsync(ct)).TimeZone;
        Users = await db.Users.Where(u => u.Role != UserRole.Operator).OrderBy(u => u.DisplayName)
            .Select(u => new SelectListItem(u.DisplayName + " (" + u.Role.ToString() + ")", u.Id.ToString())).ToListAsync(ct);
    }


    /// <summary>This page's address with the current filters, for the pager and the export.</summary>
    public string Link(int? page = null, bool export = false)
    {
        var query = new List<string>();
        void Add(string name, string? value) { if (!string.IsNullOrEmpty(value)) query.Add($"{name}={Uri.EscapeDataString(value)}"); }
        if (export) Add("handler", "Export");
        Add("user", UserFilter?.ToString(CultureInfo.InvariantCulture));
        Add("child", Child);
        Add("what", ActionFilter?.ToString());
        Add("from", From?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Add("to", To?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        if (page is > 1) Add("p", page.Value.ToString(CultureInfo.InvariantCulture));
        return query.Count == 0 ? "/Audit" : "/Audit?" + string.Join('&', query);
    }
}
