using SuccessPlans.Data;
using SuccessPlans.Features.Plans;

namespace SuccessPlans.Features.Students;

/// <summary>The caseload's filters and sort (the page's query string).</summary>
public sealed record CaseloadFilter(string? Q = null, int? School = null, string? Grade = null, int? Tier = null, string? Plan = null,
    bool OpenNeeds = false, bool OpenFlags = false, bool Withdrawn = false, string? Sort = "name");

public sealed record CaseloadRow(int Id, string FamilyName, string GivenName, string? Grade, string School, StudentStatus Status,
    int? Tier, PlanStatus? PlanStatus, int OpenNeeds, DateOnly? NextReviewDue);

/// <summary>
/// The caseload as one query: filtered, sorted and projected in SQL, ready to count and page. Built here, not in the
/// page, so its SQL Server translation is tested without a server.
/// </summary>
public static class Caseload
{
    /// <param name="visible">The students the user may see (the web's StudentAccess).</param>
    public static IQueryable<CaseloadRow> Query(AppDbContext db, IQueryable<Student> visible, CaseloadFilter f, int schoolYear)
    {
        var query = visible.Where(s => f.Withdrawn || s.Status == StudentStatus.Active);
        if (!string.IsNullOrWhiteSpace(f.Q))
        {
            var q = f.Q.Trim();
            query = query.Where(s => s.FamilyName.StartsWith(q) || s.GivenName.StartsWith(q) || (s.GivenName + " " + s.FamilyName).StartsWith(q)
                                     || s.LocalId == q || s.ExternalId == q);
        }
        if (f.School is { } school) query = query.Where(s => s.SchoolId == school);
        if (f.OpenFlags) query = query.Where(s => db.Flags.Any(fl => fl.StudentId == s.Id && fl.ResolvedAt == null && fl.DismissedAt == null));
        if (!string.IsNullOrEmpty(f.Grade)) query = query.Where(s => s.Grade == f.Grade);

        var rows = query.Select(s => new
        {
            Student = s,
            Plan = db.Plans.Where(p => p.StudentId == s.Id && p.SchoolYear == schoolYear)
                .Select(p => new { p.Tier, p.Status, p.NextReviewDue, OpenNeeds = p.Items.Count(i => i.Kind == PlanItemKind.Need && i.Status == NeedStatus.Open) })
                .FirstOrDefault(),
        });
        if (f.Tier is { } tier) rows = rows.Where(r => r.Plan != null && r.Plan.Tier == tier);
        rows = f.Plan switch
        {
            "none" => rows.Where(r => r.Plan == null),
            "active" => rows.Where(r => r.Plan != null && r.Plan.Status == PlanStatus.Active),
            "closed" => rows.Where(r => r.Plan != null && r.Plan.Status == PlanStatus.Closed),
            _ => rows,
        };
        if (f.OpenNeeds) rows = rows.Where(r => r.Plan != null && r.Plan.OpenNeeds > 0);

        rows = f.Sort switch
        {
            "grade" => rows.OrderBy(r => r.Student.Grade).ThenBy(r => r.Student.FamilyName).ThenBy(r => r.Student.GivenName),
            "tier" => rows.OrderByDescending(r => r.Plan == null ? 0 : r.Plan.Tier).ThenBy(r => r.Student.FamilyName).ThenBy(r => r.Student.GivenName),
            "needs" => rows.OrderByDescending(r => r.Plan == null ? 0 : r.Plan.OpenNeeds).ThenBy(r => r.Student.FamilyName),
            "review" => rows.OrderBy(r => r.Plan == null || r.Plan.NextReviewDue == null).ThenBy(r => r.Plan!.NextReviewDue).ThenBy(r => r.Student.FamilyName),
            _ => rows.OrderBy(r => r.Student.FamilyName).ThenBy(r => r.Student.GivenName),
        };
        return rows.Select(r => new CaseloadRow(r.Student.Id, r.Student.FamilyName, r.Student.GivenName, r.Student.Grade, r.Student.School.Name, r.Student.Status,
            r.Plan == null ? null : r.Plan.Tier, r.Plan == null ? null : r.Plan.Status, r.Plan == null ? 0 : r.Plan.OpenNeeds,
            r.Plan == null ? null : r.Plan.NextReviewDue));
    }
}
