using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.Rendering;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Students;
using SuccessPlans.Web.Hosting;

namespace SuccessPlans.Web.Features.Students;

/// <summary>The caseload: the students of the user's schools, searchable, filterable, sortable, paged in SQL.</summary>
[Authorize(Policy = Policies.StaffOfSchools)]
public class IndexModel(AppDbContext db, StudentAccess access, PlanService plans, SuccessPlans.Web.Features.Account.CurrentUser me, SuccessPlans.Data.TenantReadCache counts) : PageModel
{
    public const int PageSize = 50;

    [BindProperty(SupportsGet = true)] public string? Q { get; set; }
    [BindProperty(SupportsGet = true)] public int? School { get; set; }
    [BindProperty(SupportsGet = true)] public string? Grade { get; set; }
    [BindProperty(SupportsGet = true)] public int? Tier { get; set; }
    /// <summary>none, active or closed: the plan of the current school year.</summary>
    [BindProperty(SupportsGet = true)] public string? Plan { get; set; }
    [BindProperty(SupportsGet = true)] public bool OpenNeeds { get; set; }
    [BindProperty(SupportsGet = true)] public bool OpenFlags { get; set; }
    [BindProperty(SupportsGet = true)] public bool Withdrawn { get; set; }
    /// <summary>An attendance band (this school year so far).</summary>
    [BindProperty(SupportsGet = true)] public SuccessPlans.Features.Indicators.AttendanceBand? Band { get; set; }
    [BindProperty(SupportsGet = true)] public string Sort { get; set; } = "name";
    [BindProperty(SupportsGet = true, Name = "p")] public int PageNumber { get; set; } = 1;

    public IReadOnlyList<CaseloadRow> Rows { get; private set; } = [];
    public int Total { get; private set; }
    public int SchoolYear { get; private set; }
    public IReadOnlyList<SelectListItem> Schools { get; private set; } = [];
    public IReadOnlyList<string> Grades { get; private set; } = [];
    public bool HasFilters => !string.IsNullOrWhiteSpace(Q) || School is not null || !string.IsNullOrEmpty(Grade) || Tier is not null
                              || !string.IsNullOrEmpty(Plan) || OpenNeeds || OpenFlags;
    public int Pages => Math.Max(1, (Total + PageSize - 1) / PageSize);

    public async Task OnGetAsync(CancellationToken ct)
    {
        await ReadConnection.KeepOpenAsync(db, ct);
        SchoolYear = SchoolYears.For(await plans.TodayAsync(ct));
        // The user's schools with their names come from the per-user cache: no query.
        Schools = (await me.SchoolsAsync(ct)).Select(s => new SelectListItem(s.Name, s.Id.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList();
        Grades = await access.GradesAsync(ct);

        var filter = new CaseloadFilter(Q, School, Grade, Tier, Plan, OpenNeeds, OpenFlags, Withdrawn, Sort, Band);
        var page = await Caseload.PageAsync(db, counts, await me.SchoolIdsAsync(ct), filter, SchoolYear, PageNumber, PageSize, ct);
        (Rows, Total, PageNumber) = (page.Rows, page.Total, page.Number);
    }

    /// <summary>The current filters with one value changed, for sort and page links.</summary>
    public string Link(string? sort = null, int? page = null) => Url.Page("/Students/Index", new
    {
        Q, School, Grade, Tier, Plan, OpenNeeds = OpenNeeds ? true : (bool?)null, OpenFlags = OpenFlags ? true : (bool?)null, Withdrawn = Withdrawn ? true : (bool?)null, Band,
        Sort = sort ?? Sort, p = page ?? 1,
    })!;
}
