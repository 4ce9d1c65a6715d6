using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SuccessPlans.Features.Flags;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Referrals;
using SuccessPlans.Features.Students;
using SuccessPlans.Features.Users;
using SuccessPlans.Web.Features.Account;
using SuccessPlans.Web.Features.Students;

namespace SuccessPlans.Web.Features.Home;

/// <summary>
/// The coordinator's worklist: referrals that need an action, the nightly check's open flags grouped by kind,
/// and unread updates from providers. Every row is one click from what it needs.
/// </summary>
[Authorize(Policy = Roles.Coordinator)]
public class CoordinatorModel(AppDbContext db, CurrentUser me, StudentAccess access, FlagService flags, PlanService plans, TimeProvider time,
    SuccessPlans.Features.Tenants.TenantSettingsCache tenantSettings, SuccessPlans.Web.Features.Notifications.UnreadUpdates unread, TenantReadCache cache) : PageModel
{
    public sealed record SchoolRow(int Id, string Name, int ActiveStudents, int Withdrawn);

    /// <summary>The follow-ups and flags shown (Worklist.PageAsync).</summary>
    public Worklist.Page List { get; private set; } = new([], 0, 1, [], new Dictionary<FlagKind, int>(), 1);
    public IReadOnlyList<SchoolRow> Schools { get; private set; } = [];
    public int UnreadUpdates { get; private set; }

    [BindProperty(SupportsGet = true)] public FlagKind? Kind { get; set; }
    [BindProperty(SupportsGet = true)] public string? Sort { get; set; }
    /// <summary>The flags come 50 to a page (a coordinator of 10,000 children has thousands open).</summary>
    [BindProperty(SupportsGet = true, Name = "p")] public int FlagPage { get; set; } = 1;
    /// <summary>The follow-ups come 50 to a page too.</summary>
    [BindProperty(SupportsGet = true, Name = "fp")] public int FollowUpPage { get; set; } = 1;

    public async Task OnGetAsync(CancellationToken ct)
    {
        await ReadConnection.KeepOpenAsync(db, ct);
        await LoadAsync(ct);
    }

    /// <summary>Bulk dismiss: the flags ticked, with one reason.</summary>
    public async Task<IActionResult> OnPostDismissAsync(int[]? flagIds, string? reason, CancellationToken ct)
    {
        try
        {
            var visible = (await access.VisibleAsync(ct)).Select(s => s.Id);
            var count = await flags.DismissAsync(flagIds ?? [], reason, visible, access.Actor, ct);
            TempData["Message"] = $"{count} flag(s) dismissed.";
            return Redirect(Url.Page("/Home/Coordinator", new { Kind, Sort }) + "#flags");
        }
        catch (Exception e) when (e is ValidationFailedException or NotFoundException or ConcurrencyConflictException)
        {
            db.ChangeTracker.Clear();
            ModelState.AddModelError("", CoreText.Of(e));
            await LoadAsync(ct);
            return Page();
        }
    }

    /// <summary>One click: the provider reported the goal met, the coordinator confirms the need met.</summary>
    public async Task<IActionResult> OnPostConfirmMetAsync(int referralId, CancellationToken ct)
    {
        var visible = await access.VisibleAsync(ct);
        var target = await db.Referrals.Where(r => r.Id == referralId && visible.Any(s => s.Id == r.StudentId))
            .Select(r => new { r.StudentId, r.Need.PlanId }).SingleOrDefaultAsync(ct);
        if (target is null) return NotFound();
        var student = await access.FindAsync(target.StudentId, ct);
        var plan = await db.Plans.Include(p => p.Items).SingleAsync(p => p.Id == target.PlanId, ct);
        try
        {
            await plans.ConfirmNeedMetAsync(student!, plan, referralId, access.Actor, null, ct);
            TempData["Message"] = "Need marked met.";
            return Redirect("/Home/Coordinator");
        }
        catch (Exception e) when (e is ValidationFailedException or NotFoundException or ConcurrencyConflictException)
        {
            db.ChangeTracker.Clear();
            ModelState.AddModelError("", CoreText.Of(e));
            await LoadAsync(ct);
            return Page();
        }
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        var mine = await me.SchoolIdsAsync(ct);
        var settings = await tenantSettings.GetAsync(ct);
        List = await Worklist.PageAsync(db, cache, mine, settings.NoResponseDays, settings.StalledDays, time.GetUtcNow().UtcDateTime,
            new WorklistQuery(Kind, Sort, FollowUpPage, FlagPage), ct);
        // The pages shown (the last one when asked past it), for the pager's links.
        FollowUpPage = List.FollowUpPage;
        FlagPage = List.FlagPage;

        // The layout's marker asks the same service, which keeps the count for the request: one query, not two.
        UnreadUpdates = await unread.UnreadAsync(ct);
        // Children per school, cached with the user's schools (a count of every child of them: 10,000 index entries for a
        // coordinator of 10,000); a save of any school or child of the tenant, or an erasure, reads them afresh.
        Schools = await me.InScopeAsync<IReadOnlyList<SchoolRow>>(async c => await db.Schools
            .Where(s => EF.Parameter(mine).Contains(s.Id))
            .OrderBy(s => s.Name)
            .Select(s => new SchoolRow(s.Id, s.Name,
                db.Students.Count(st => st.SchoolId == s.Id && st.Status == StudentStatus.Active),
                db.Students.Count(st => st.SchoolId == s.Id && st.Status == StudentStatus.Withdrawn)))
            .ToListAsync(c), ct);
    }

    /// <summary>This worklist with the given pages of follow-ups and flags (the flags' kind and sort kept).</summary>
    /// <remarks>Written out, not asked of the router: the pager's few links cost 1% of the page's CPU through Url.Page (issue 15).</remarks>
    public string PageLink(int followUpPage, int flagPage) => "/Home/Coordinator" + QueryString.Create(
        new KeyValuePair<string, string?>[]
        {
            new("Kind", Kind?.ToString()), new("Sort", Sort),
            new("fp", followUpPage > 1 ? followUpPage.ToString(System.Globalization.CultureInfo.InvariantCulture) : null),
            new("p", flagPage > 1 ? flagPage.ToString(System.Globalization.CultureInfo.InvariantCulture) : null),
        }.Where(q => !string.IsNullOrEmpty(q.Value)));

    public static string Words(FollowUp kind) => kind switch
    {
        FollowUp.AwaitingConfirmation => "Goal met: confirm the need",
        FollowUp.Declined => "Ended without help: refer again",
        FollowUp.NoAnswer => "No answer from the provider",
        _ => "Accepted, nothing delivered yet",
    };

    /// <summary>Where a flag's action is: its need's "Find a service", its referral, or the plan review.</summary>
    public static string ActionLink(WorklistFlagRow f) => f.Kind switch
    {
        FlagKind.UnmetNeed => $"/Students/{f.StudentId}/Needs/{f.SubjectId}/Refer",
        FlagKind.ReviewOverdue => $"/Review/Student/{f.StudentId}",
        FlagKind.IndicatorWithoutPlan => $"/Students/{f.StudentId}#plan",
        FlagKind.NotImproving => $"/Review/Student/{f.StudentId}",
        _ => $"/Students/{f.StudentId}#referral-{f.SubjectId}",
    };

    public static string ActionWords(FlagKind kind) => kind switch
    {
        FlagKind.UnmetNeed => "Find a service",
        FlagKind.ReviewOverdue => "Review now",
        FlagKind.IndicatorWithoutPlan => "Add a need",
        FlagKind.NotImproving => "Review the plan",
        _ => "Follow up",
    };
}
