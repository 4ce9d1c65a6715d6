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
    SuccessPlans.Features.Tenants.TenantSettingsCache tenantSettings, SuccessPlans.Web.Features.Notifications.UnreadUpdates unread) : PageModel
{
    public enum FollowUp { AwaitingConfirmation, Declined, NoAnswer, NothingDelivered }

    public sealed record SchoolRow(int Id, string Name, int ActiveStudents, int Withdrawn);
    public sealed record ReferralRow(FollowUp Kind, int ReferralId, int StudentId, string Student, int NeedId, string Need, string Service, string Organization,
        ReferralStatus Status, ReferralOutcome? Outcome, DateTime? Since);
    public sealed record FlagRow(int Id, int StudentId, string Student, FlagKind Kind, int SubjectId, string? Summary, DateOnly Since);

    public IReadOnlyList<SchoolRow> Schools { get; private set; } = [];
    public IReadOnlyList<ReferralRow> FollowUps { get; private set; } = [];
    /// <summary>All follow-ups; <see cref="FollowUps"/> holds one page of them.</summary>
    public int FollowUpCount { get; private set; }
    public IReadOnlyList<FlagRow> Flags { get; private set; } = [];
    public IReadOnlyDictionary<FlagKind, int> FlagCounts { get; private set; } = new Dictionary<FlagKind, int>();
    public int UnreadUpdates { get; private set; }

    [BindProperty(SupportsGet = true)] public FlagKind? Kind { get; set; }
    [BindProperty(SupportsGet = true)] public string? Sort { get; set; }
    /// <summary>The flags come 50 to a page (a coordinator of 10,000 children has thousands open).</summary>
    [BindProperty(SupportsGet = true, Name = "p")] public int FlagPage { get; set; } = 1;
    public const int FlagsPerPage = 50;
    public int FlagPages { get; private set; } = 1;
    /// <summary>The follow-ups come 50 to a page too.</summary>
    [BindProperty(SupportsGet = true, Name = "fp")] public int FollowUpPage { get; set; } = 1;
    public const int FollowUpsPerPage = 50;
    public int FollowUpPages { get; private set; } = 1;

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
        // Joined, not "StudentId IN (the visible students)": the IN list is built in full first (10,000 ids for a
        // coordinator of 10,000 children, 18 ms of the follow-ups' query), the join looks each row's student up by key.
        var visible = await access.VisibleAsync(ct);
        var now = time.GetUtcNow().UtcDateTime;
        var settings = await tenantSettings.GetAsync(ct);
        var noAnswerBefore = now.AddDays(-settings.NoResponseDays);
        var stalledBefore = now.AddDays(-settings.StalledDays);

        // Every follow-up in SQL, one row per need for ended referrals (the latest says what happened), sorted and paged
        // there: a coordinator of 10,000 children has over a thousand, and the page rendered up to 300 (issue 15).
        var followUps = db.Referrals.AsNoTracking()
            // The test below on the referral's own columns first: SQLite checks it before it looks up the student, need and
            // plan, so referrals in service or long settled cost no join (a quarter of this query's time at 10,000 children).
            .Where(r => (r.Status == ReferralStatus.Sent && r.SentAt < noAnswerBefore) || (r.Status == ReferralStatus.Accepted && r.AnsweredAt < stalledBefore)
                     || (r.Status == ReferralStatus.Completed && r.Outcome == ReferralOutcome.GotHelp)
                     || r.Status == ReferralStatus.Declined || r.Status == ReferralStatus.ClosedUnsuccessful || r.Status == ReferralStatus.Expired)
            .Join(visible, r => r.StudentId, st => st.Id, (r, _) => r)
            .Where(r => (r.Status == ReferralStatus.Sent && r.SentAt < noAnswerBefore)
                     || (r.Status == ReferralStatus.Accepted && r.AnsweredAt < stalledBefore && !r.Deliveries.Any())
                     || (r.Status == ReferralStatus.Completed && r.Outcome == ReferralOutcome.GotHelp && r.Need.Status == NeedStatus.Open && r.Need.Plan.Status != PlanStatus.Closed)
                     // Ended without help, and nothing else under way for the need: it needs another service. Of the need's
                     // ended referrals only the latest (they all pass or fail the need's test alike).
                     // The statuses are written in the query, not held in arrays: an array is a list parameter, and a query
                     // with one has its SQL generated again at every execution (issue 15).
                     || ((r.Status == ReferralStatus.Declined || r.Status == ReferralStatus.ClosedUnsuccessful || r.Status == ReferralStatus.Expired)
                         && r.Need.Status == NeedStatus.Open && r.Need.Plan.Status != PlanStatus.Closed
                         && !db.Referrals.Any(o => o.NeedId == r.NeedId && o.Id != r.Id
                             && (o.Status == ReferralStatus.Sent || o.Status == ReferralStatus.Accepted || o.Status == ReferralStatus.InService || (o.Status == ReferralStatus.Completed && o.Outcome == ReferralOutcome.GotHelp)))
                         && !db.Referrals.Any(o => o.NeedId == r.NeedId && o.Id > r.Id
                             && (o.Status == ReferralStatus.Declined || o.Status == ReferralStatus.ClosedUnsuccessful || o.Status == ReferralStatus.Expired))));
        // The page first: a first page that is not full holds them all, and the count needs no query of its own.
        FollowUpPage = Math.Max(1, FollowUpPage);
        FollowUps = await FollowUpPageAsync(followUps, ct);
        if (FollowUpPage == 1 && FollowUps.Count < FollowUpsPerPage)
            FollowUpCount = FollowUps.Count;
        else
        {
            FollowUpCount = await followUps.CountAsync(ct);
            var last = Math.Max(1, (FollowUpCount + FollowUpsPerPage - 1) / FollowUpsPerPage);
            if (FollowUpPage > last)
            {
                FollowUpPage = last;
                FollowUps = await FollowUpPageAsync(followUps, ct);
            }
        }
        FollowUpPages = Math.Max(1, (FollowUpCount + FollowUpsPerPage - 1) / FollowUpsPerPage);

        var openFlags = db.Flags.AsNoTracking().Where(f => f.ResolvedAt == null && f.DismissedAt == null);
        var joined = openFlags.Join(visible, f => f.StudentId, st => st.Id, (f, st) => new { f, st });
        FlagCounts = (await joined.GroupBy(x => x.f.Kind).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct)).ToDictionary(x => x.Key, x => x.Count);
        if (Kind is { } kind && Enum.IsDefined(kind)) joined = joined.Where(x => x.f.Kind == kind);
        var shown = Kind is { } k && Enum.IsDefined(k) ? FlagCounts.GetValueOrDefault(k) : FlagCounts.Values.Sum();
        FlagPages = Math.Max(1, (shown + FlagsPerPage - 1) / FlagsPerPage);
        FlagPage = Math.Clamp(FlagPage, 1, FlagPages);
        joined = Sort == "student"
            ? joined.OrderBy(x => x.st.FamilyName).ThenBy(x => x.st.GivenName).ThenBy(x => x.f.Kind).ThenBy(x => x.f.Id)
            : joined.OrderBy(x => x.f.Kind).ThenBy(x => x.f.FirstSeenOn).ThenBy(x => x.st.FamilyName).ThenBy(x => x.f.Id);
        Flags = await joined.Skip((FlagPage - 1) * FlagsPerPage).Take(FlagsPerPage)
            .Select(x => new FlagRow(x.f.Id, x.st.Id, x.st.GivenName + " " + x.st.FamilyName, x.f.Kind, x.f.SubjectId, x.f.Summary, x.f.FirstSeenOn))
            .ToListAsync(ct);

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

    private Task<List<ReferralRow>> FollowUpPageAsync(IQueryable<Referral> followUps, CancellationToken ct) => followUps
        .Select(r => new
        {
            r,
            // FollowUp's order: a completion to confirm, an ended referral, no answer, nothing delivered.
            Kind = r.Status == ReferralStatus.Completed ? FollowUp.AwaitingConfirmation
                : r.Status == ReferralStatus.Sent ? FollowUp.NoAnswer
                : r.Status == ReferralStatus.Accepted ? FollowUp.NothingDelivered
                : FollowUp.Declined,
            Since = r.Status == ReferralStatus.Sent ? r.SentAt : r.Status == ReferralStatus.Accepted ? r.AnsweredAt : r.ClosedAt,
        })
        .OrderBy(x => x.Kind).ThenBy(x => x.Since).ThenByDescending(x => x.r.Id)
        .Skip((FollowUpPage - 1) * FollowUpsPerPage).Take(FollowUpsPerPage)
        .Select(x => new ReferralRow(x.Kind, x.r.Id, x.r.StudentId, x.r.Student.GivenName + " " + x.r.Student.FamilyName, x.r.NeedId, x.r.Need.Description,
            x.r.Service.Name, x.r.Organization.Name, x.r.Status, x.r.Outcome, x.Since))
        .ToListAsync(ct);

    /// <summary>This worklist with the given pages of follow-ups and flags (the flags' kind and sort kept).</summary>
    public string PageLink(int followUpPage, int flagPage) =>
        Url.Page("/Home/Coordinator", new { Kind, Sort, fp = followUpPage > 1 ? followUpPage : (int?)null, p = flagPage > 1 ? flagPage : (int?)null })!;

    public static string Words(FollowUp kind) => kind switch
    {
        FollowUp.AwaitingConfirmation => "Goal met: confirm the need",
        FollowUp.Declined => "Ended without help: refer again",
        FollowUp.NoAnswer => "No answer from the provider",
        _ => "Accepted, nothing delivered yet",
    };

    /// <summary>Where a flag's action is: its need's "Find a service", its referral, or the plan review.</summary>
    public static string ActionLink(FlagRow f) => f.Kind switch
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
