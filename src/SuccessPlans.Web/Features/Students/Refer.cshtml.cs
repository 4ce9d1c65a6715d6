using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.WebUtilities;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Referrals;
using SuccessPlans.Features.Students;
using SuccessPlans.Features.Users;
using SuccessPlans.Web.Features.Account;
using SuccessPlans.Web.Hosting;

namespace SuccessPlans.Web.Features.Students;

/// <summary>
/// From a need on the plan: the services that fit (a keyword and filters in the address, so a search can be shared),
/// then, for the chosen one, exactly what will be shared and on what basis (consent in force, or an Admin's written
/// override) before sending. A missing consent is recorded on the way, and the chosen service stays chosen.
/// </summary>
[Authorize(Policy = Policies.StaffOfSchools)]
public class ReferModel(AppDbContext db, StudentAccess access, ReferralService referrals, ServiceMatcher matcher, CurrentUser me) : PageModel
{
    public Student Student { get; private set; } = null!;
    public PlanItem Need { get; private set; } = null!;
    public MatchResults? Results { get; private set; }
    public MatchQuery Query { get; private set; } = new();
    public Service? Chosen { get; private set; }
    public IReadOnlyList<SharedField> Shared { get; private set; } = [];
    public Consent? Consent { get; private set; }
    public bool IsAdmin => me.IsInRole(Roles.Admin);

    [BindProperty(SupportsGet = true)] public int? ServiceId { get; set; }
    [BindProperty] public string? OverrideReason { get; set; }

    // The search, as strings: a hand-edited address can hold anything, and anything but "true" is "off".
    [BindProperty(SupportsGet = true, Name = "q")] public string? Keyword { get; set; }
    [BindProperty(SupportsGet = true, Name = "filtered")] public string? Filtered { get; set; }
    [BindProperty(SupportsGet = true, Name = "domain")] public string? DomainFlag { get; set; }
    [BindProperty(SupportsGet = true, Name = "age")] public string? AgeFlag { get; set; }
    [BindProperty(SupportsGet = true, Name = "language")] public string? LanguageFlag { get; set; }
    [BindProperty(SupportsGet = true, Name = "open")] public string? OpenFlag { get; set; }

    public string ReferUrl => $"/Students/{Student.Id}/Needs/{Need.Id}/Refer";

    /// <summary>This page with the current search (and a chosen service), for links that must not lose it.</summary>
    public string Link(int? serviceId = null)
    {
        var query = new List<KeyValuePair<string, string?>>();
        if (Query.Words() is { Count: > 0 } words) query.Add(new("q", string.Join(' ', words)));
        if (Filtered is not null)
        {
            query.Add(new("filtered", "1"));
            foreach (var (name, on) in new[] { ("domain", Query.SameDomain), ("age", Query.FitsAge), ("language", Query.SpeaksHomeLanguage), ("open", Query.OpenPlacesOnly) })
                if (on) query.Add(new(name, "true"));
        }
        if (serviceId is { } id) query.Add(new("serviceId", id.ToString()));
        return QueryHelpers.AddQueryString(ReferUrl, query);
    }

    public string ConsentUrl => QueryHelpers.AddQueryString($"/Students/{Student.Id}/Consent", new Dictionary<string, string?>
    {
        ["organizationId"] = Chosen!.OrganizationId.ToString(), ["returnUrl"] = Link(Chosen.Id),
    });

    public async Task<IActionResult> OnGetAsync(int id, int needId, CancellationToken ct)
    {
        await ReadConnection.KeepOpenAsync(db, ct);
        return await LoadAsync(id, needId, ct, toShow: true) ? Page() : NotFound();
    }

    public async Task<IActionResult> OnPostAsync(int id, int needId, CancellationToken ct)
    {
        if (!await LoadAsync(id, needId, ct) || ServiceId is null) return NotFound();
        try
        {
            var referral = await referrals.SendAsync(Student, needId, ServiceId.Value, access.Actor, IsAdmin, OverrideReason, ct);
            TempData["Message"] = $"Referral sent to {Chosen!.Organization.Name}.";
            return Redirect($"/Students/{id}#referrals");
        }
        catch (ValidationFailedException e)
        {
            ModelState.AddErrors(e, field => field == "OverrideReason" ? "OverrideReason" : "");
            return Page();
        }
    }

    /// <summary><paramref name="toShow"/> (a GET): the student untracked, by a compiled query (issue 15); a POST sends with it tracked.</summary>
    private async Task<bool> LoadAsync(int id, int needId, CancellationToken ct, bool toShow = false)
    {
        var student = toShow ? await access.FindToShowAsync(id, ct) : await access.FindAsync(id, ct);
        if (student is null) return false;
        var need = await NeedOf(db, needId, id, ct);
        if (need is null) return false;
        (Student, Need) = (student, need);
        // First visit: the need's domain and the child's age; the home language and open places rank rather than filter.
        Query = Filtered is null
            ? new MatchQuery { Keyword = Keyword }
            : new MatchQuery { Keyword = Keyword, SameDomain = On(DomainFlag), FitsAge = On(AgeFlag), SpeaksHomeLanguage = On(LanguageFlag), OpenPlacesOnly = On(OpenFlag) };
        if (ServiceId is { } serviceId)
        {
            Chosen = await db.Services.Include(s => s.Organization).SingleOrDefaultAsync(s => s.Id == serviceId, ct);
            if (Chosen is null) return false;
            Shared = ReferralService.SharedFields(student, need);
            Consent = await referrals.ConsentForAsync(id, Chosen.OrganizationId, ct);
        }
        else
            Results = await matcher.FindAsync(student, need, Query, ct);
        return true;
    }

    // The need with its plan, untracked (the page shows it; sending reads what it changes itself), by a compiled query:
    // EF's look-up of the LINQ tree and the tracking of two entities were 5% of the page's CPU (issue 15).
    private static readonly Func<AppDbContext, int, int, CancellationToken, Task<PlanItem?>> NeedOf = EF.CompileAsyncQuery(
        (AppDbContext db, int needId, int studentId, CancellationToken ct) =>
            db.PlanItems.AsNoTracking().Include(i => i.Plan).SingleOrDefault(i => i.Id == needId && i.Plan.StudentId == studentId && i.Kind == PlanItemKind.Need));

    private static bool On(string? value) => string.Equals(value, "true", StringComparison.OrdinalIgnoreCase);
}
