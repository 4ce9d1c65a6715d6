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
public class IndexModel(AppDbContext db, StudentAccess access, PlanService plans, SuccessPlans.Web.Features.Account.CurrentUser me) : PageModel
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
    [BindProperty(SupportsGet = true)] public string Sort { get; set; } = "name";
    [BindProperty(SupportsGet = true, Name = "p")] public int PageNumber { get; set; } = 1;

    public sealed record Row(int Id, string FamilyName, string GivenName, string? Grade, string School, StudentStatus Status,
        int? Tier, PlanStatus? PlanStatus, int OpenNeeds, DateOnly? NextReviewDue);

    public IReadOnlyList<Row> Rows { get; private set; } = [];
    public int Total { get; private set; }
    public int SchoolYear { get; private set; }
    public IReadOnlyList<SelectListItem> Schools { get; private set; } = [];
    public IReadOnlyList<string> Grades { get; private set; } = [];
    public int Pages => Math.Max(1, (Total + PageSize - 1) / PageSize);

    public async Task OnGetAsync(CancellationToken ct)
    {
        SchoolYear = SchoolYears.For(await plans.TodayAsync(ct));
        var visible = await access.VisibleAsync(ct);
        var mySchools = await me.SchoolIdsAsync(ct);
        Schools = await db.Schools.Where(s => mySchools.Contains(s.Id))
            .OrderBy(s => s.Name).Select(s => new SelectListItem(s.Name, s.Id.ToString())).ToListAsync(ct);
        Grades = await visible.Where(s => s.Grade != null).Select(s => s.Grade!).Distinct().OrderBy(g => g).ToListAsync(ct);

        var year = SchoolYear;
        var query = visible.Where(s => Withdrawn || s.Status == StudentStatus.Active);
        if (!string.IsNullOrWhiteSpace(Q))
        {
            var q = Q.Trim();
            query = query.Where(s => s.FamilyName.StartsWith(q) || s.GivenName.StartsWith(q) || (s.GivenName + " " + s.FamilyName).StartsWith(q)
                                     || s.LocalId == q || s.ExternalId == q);
        }
        if (School is { } school) query = query.Where(s => s.SchoolId == school);
        if (OpenFlags) query = query.Where(s => db.Flags.Any(f => f.StudentId == s.Id && f.ResolvedAt == null && f.DismissedAt == null));
        if (!string.IsNullOrEmpty(Grade)) query = query.Where(s => s.Grade == Grade);

        var rows = query.Select(s => new
        {
            Student = s,
            Plan = db.Plans.Where(p => p.StudentId == s.Id && p.SchoolYear == year)
                .Select(p => new { p.Tier, p.Status, p.NextReviewDue, OpenNeeds = p.Items.Count(i => i.Kind == PlanItemKind.Need && i.Status == NeedStatus.Open) })
                .FirstOrDefault(),
        });
        if (Tier is { } tier) rows = rows.Where(r => r.Plan != null && r.Plan.Tier == tier);
        rows = Plan switch
        {
            "none" => rows.Where(r => r.Plan == null),
            "active" => rows.Where(r => r.Plan != null && r.Plan.Status == PlanStatus.Active),
            "closed" => rows.Where(r => r.Plan != null && r.Plan.Status == PlanStatus.Closed),
            _ => rows,
        };
        if (OpenNeeds) rows = rows.Where(r => r.Plan != null && r.Plan.OpenNeeds > 0);

        Total = await rows.CountAsync(ct);
        rows = Sort switch
        {
            "grade" => rows.OrderBy(r => r.Student.Grade).ThenBy(r => r.Student.FamilyName).ThenBy(r => r.Student.GivenName),
            "tier" => rows.OrderByDescending(r => r.Plan == null ? 0 : r.Plan.Tier).ThenBy(r => r.Student.FamilyName).ThenBy(r => r.Student.GivenName),
            "needs" => rows.OrderByDescending(r => r.Plan == null ? 0 : r.Plan.OpenNeeds).ThenBy(r => r.Student.FamilyName),
            "review" => rows.OrderBy(r => r.Plan == null || r.Plan.NextReviewDue == null).ThenBy(r => r.Plan!.NextReviewDue).ThenBy(r => r.Student.FamilyName),
            _ => rows.OrderBy(r => r.Student.FamilyName).ThenBy(r => r.Student.GivenName),
        };
        PageNumber = Math.Clamp(PageNumber, 1, Pages);
        Rows = await rows.Skip((PageNumber - 1) * PageSize).Take(PageSize)
            .Select(r => new Row(r.Student.Id, r.Student.FamilyName, r.Student.GivenName, r.Student.Grade, r.Student.School.Name, r.Student.Status,
                r.Plan == null ? null : r.Plan.Tier, r.Plan == null ? null : r.Plan.Status, r.Plan == null ? 0 : r.Plan.OpenNeeds,
                r.Plan == null ? null : r.Plan.NextReviewDue))
            .ToListAsync(ct);
    }

    /// <summary>The current filters with one value changed, for sort and page links.</summary>
    public string Link(string? sort = null, int? page = null) => Url.Page("/Students/Index", new
    {
        Q, School, Grade, Tier, Plan, OpenNeeds = OpenNeeds ? true : (bool?)null, OpenFlags = OpenFlags ? true : (bool?)null, Withdrawn = Withdrawn ? true : (bool?)null,
        Sort = sort ?? Sort, p = page ?? 1,
    })!;
}
