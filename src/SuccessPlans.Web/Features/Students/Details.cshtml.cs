using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Students;
using SuccessPlans.Web.Hosting;

namespace SuccessPlans.Web.Features.Students;

/// <summary>The student page: profile, this year's plan, consent, history.</summary>
[Authorize(Policy = Policies.StaffOfSchools)]
public class DetailsModel(AppDbContext db, StudentAccess access, PlanService plans, SuccessPlans.Features.Referrals.ReferralService referrals,
    SuccessPlans.Features.Flags.FlagService flags, CaseNoteService notes, ConsentService consents, SuccessPlans.Web.Features.Account.CurrentUser me,
    SuccessPlans.Web.Features.Notifications.UnreadUpdates updates, SuccessPlans.Web.Features.Audit.AccessRecorder accessLog, GoalSeries goalSeries) : PageModel
{
    public Student Student { get; private set; } = null!;
    public SuccessPlan? Plan { get; private set; }
    public IReadOnlyList<SuccessPlan> PastPlans { get; private set; } = [];
    public IReadOnlyList<Consent> Consents { get; private set; } = [];
    public IReadOnlyList<StudentEvent> History { get; private set; } = [];
    public IReadOnlyList<SuccessPlans.Features.Plans.Review> Reviews { get; private set; } = [];
    public IReadOnlyList<SuccessPlans.Features.Referrals.Referral> Referrals { get; private set; } = [];
    public IReadOnlyList<SuccessPlans.Features.Referrals.Disclosure> Disclosures { get; private set; } = [];
    public IReadOnlyList<SuccessPlans.Features.Flags.Flag> Flags { get; private set; } = [];
    public IReadOnlyList<CaseNote> Notes { get; private set; } = [];
    public SuccessPlans.Features.Indicators.StudentIndicators? Indicators { get; private set; }
    public ILookup<int, SuccessPlans.Features.Referrals.ReferralMessage> Messages { get; private set; } = Array.Empty<SuccessPlans.Features.Referrals.ReferralMessage>().ToLookup(m => m.ReferralId);

    /// <summary>Referrals whose messages this user reads: those of the referring school's coordinators (an Admin: all).</summary>
    public HashSet<int> ConversationReferralIds { get; private set; } = [];

    /// <summary>Needs that a referral shared: they stay on the record (closed, never removed).</summary>
    public HashSet<int> ReferredNeedIds { get; private set; } = [];

    /// <summary>This year's measured goals by need: values and progress.</summary>
    public IReadOnlyDictionary<int, GoalView> Goals { get; private set; } = new Dictionary<int, GoalView>();

    // Set by a GET's first query: the user has an unread update about this child's referrals.
    private bool _unreadUpdates;

    /// <summary>Set when closing the plan needs a second, confirmed click (it has open referrals).</summary>
    public string? CloseQuestion { get; private set; }
    public DateOnly Today { get; private set; }
    public int SchoolYear { get; private set; }

    [BindProperty] public ItemInput NewItem { get; set; } = new();
    [BindProperty] public Guid PlanVersion { get; set; }

    public sealed class ItemInput
    {
        [Display(Name = "Domain")] public Domain? Domain { get; set; }
        [Display(Name = "Kind")] public PlanItemKind? Kind { get; set; }
        [Display(Name = "Description")] public string? Description { get; set; }
        [Display(Name = "Goal (for a need)")] public string? Goal { get; set; }
        [Display(Name = "Priority (for a need)")] public NeedPriority? Priority { get; set; }
    }

    public async Task<IActionResult> OnGetAsync(int id, CancellationToken ct)
    {
        // A read: nothing loaded here is changed, so nothing is tracked, and the access log's save below has one row to look at.
        db.ChangeTracker.QueryTrackingBehavior = QueryTrackingBehavior.NoTracking;
        // No ReadConnection.KeepOpenAsync here: measured side by side (issue 15, 2026-12-02, and again 2026-12-04 with the
        // access log written on AccessLogWriter's own connection), the page served fewer requests with its connection held
        // for the whole request (it waits for its entry's commit and renders while holding it).
        if (!await LoadAsync(id, ct, toShow: true)) return NotFound();
        await accessLog.RecordAsync(SuccessPlans.Features.Audit.AccessAction.ViewStudent, id, Plan?.Id, ct: ct);
        // Opening the student reads the updates about their referrals (the page's first query said whether there are any).
        if (_unreadUpdates) await updates.MarkReadAsync(Referrals.Select(r => r.Id).ToList(), ct, foundUnread: true);
        return Page();
    }

    /// <summary>The need waits for the coordinator's confirmation: its provider reported the goal met.</summary>
    public SuccessPlans.Features.Referrals.Referral? AwaitingConfirmation(PlanItem need) =>
        need.Status == NeedStatus.Open ? Referrals.FirstOrDefault(r => r.NeedId == need.Id && r.IsSuccess) : null;

    public Task<IActionResult> OnPostAddItemAsync(int id, CancellationToken ct) => ChangePlanAsync(id, (student, plan) =>
        plans.AddItemAsync(student, plan, new NewPlanItem(NewItem.Domain, NewItem.Kind, NewItem.Description, NewItem.Goal, NewItem.Priority), access.Actor, PlanVersion, ct),
        "Added to the plan.", "NewItem", ct);

    public Task<IActionResult> OnPostNeedAsync(int id, int itemId, NeedStatus? status, string? goal, NeedPriority? priority, CancellationToken ct) =>
        ChangePlanAsync(id, (student, plan) => plans.UpdateNeedAsync(student, plan, itemId, status, goal, priority, access.Actor, PlanVersion, ct), "Need updated.", "", ct);

    public Task<IActionResult> OnPostRemoveItemAsync(int id, int itemId, CancellationToken ct) =>
        ChangePlanAsync(id, (student, plan) => plans.RemoveItemAsync(student, plan, itemId, access.Actor, PlanVersion, ct), "Removed from the plan.", "", ct);

    public Task<IActionResult> OnPostNextReviewAsync(int id, DateOnly? nextReviewDue, CancellationToken ct) =>
        ChangePlanAsync(id, (student, plan) => plans.SetNextReviewAsync(student, plan, nextReviewDue, access.Actor, PlanVersion, ct), "Next review date saved.", "", ct);

    public async Task<IActionResult> OnPostCloseAsync(int id, bool? confirm, CancellationToken ct)
    {
        var result = await ChangePlanAsync(id, (student, plan) => plans.ClosePlanAsync(student, plan, access.Actor, PlanVersion, ct, confirm == true), "Plan closed.", "", ct);
        // Open referrals: ask once more, with the reason, instead of showing an error.
        if (ModelState.TryGetValue(PlanService.ConfirmCloseField, out var entry) && entry.Errors.Count > 0)
        {
            CloseQuestion = entry.Errors[0].ErrorMessage;
            ModelState.Remove(PlanService.ConfirmCloseField);
        }
        return result;
    }

    public Task<IActionResult> OnPostConfirmMetAsync(int id, int referralId, CancellationToken ct) =>
        ChangePlanAsync(id, (student, plan) => plans.ConfirmNeedMetAsync(student, plan, referralId, access.Actor, PlanVersion, ct), "Need marked met.", "", ct);

    public Task<IActionResult> OnPostMeasureAsync(int id, int itemId, GoalMeasure? measure, string? measureLabel, decimal? baseline, DateOnly? baselineOn,
        decimal? target, DateOnly? targetOn, CancellationToken ct) =>
        ChangePlanAsync(id, (student, plan) => plans.SetMeasureAsync(student, plan, itemId, new GoalMeasureInput(measure, measureLabel, baseline, baselineOn, target, targetOn),
            access.Actor, PlanVersion, ct), "Goal measure saved.", "", ct);

    public Task<IActionResult> OnPostRemoveMeasureAsync(int id, int itemId, CancellationToken ct) =>
        ChangePlanAsync(id, (student, plan) => plans.RemoveMeasureAsync(student, plan, itemId, access.Actor, PlanVersion, ct), "Goal measure removed.", "", ct);

    public Task<IActionResult> OnPostGoalPointAsync(int id, int itemId, DateOnly? pointOn, decimal? pointValue, CancellationToken ct) =>
        ChangePlanAsync(id, (student, plan) => plans.AddPointAsync(student, plan, itemId, pointOn, pointValue, access.Actor, PlanVersion, ct), "Value recorded.", "", ct);

    public Task<IActionResult> OnPostRemoveGoalPointAsync(int id, int itemId, int pointId, CancellationToken ct) =>
        ChangePlanAsync(id, (student, plan) => plans.RemovePointAsync(student, plan, itemId, pointId, access.Actor, PlanVersion, ct), "Value removed.", "", ct);

    public async Task<IActionResult> OnPostNoteAsync(int id, string? text, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        try
        {
            await notes.AddAsync(Student, text, access.Actor, ct);
        }
        catch (ValidationFailedException e)
        {
            ModelState.AddErrors(e, _ => "NoteText");
            return Page();
        }
        TempData["Message"] = "Note added.";
        return Redirect($"/Students/{id}#notes");
    }

    public async Task<IActionResult> OnPostMessageAsync(int id, int referralId, string? text, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        if (!ConversationReferralIds.Contains(referralId)) return NotFound();
        var referral = await db.Referrals.SingleAsync(r => r.Id == referralId, ct);
        try
        {
            await referrals.PostMessageAsync(referral, SuccessPlans.Features.Referrals.MessageSide.School, text, access.Actor, ct);
        }
        catch (Exception e) when (e is ValidationFailedException or SuccessPlans.Features.Referrals.IllegalTransitionException)
        {
            db.ChangeTracker.Clear();
            ModelState.AddModelError("", CoreText.Of(e));
            await LoadAsync(id, ct);
            return Page();
        }
        TempData["Message"] = "Message sent.";
        return Redirect($"/Students/{id}#referral-{referralId}");
    }

    public async Task<IActionResult> OnPostRevokeConsentAsync(int id, int consentId, string? reason, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        try
        {
            await consents.RevokeAsync(Student, consentId, reason, access.Actor, ct);
        }
        catch (NotFoundException)
        {
            return NotFound();
        }
        catch (ValidationFailedException e)
        {
            ModelState.AddErrors(e, _ => "");
            return Page();
        }
        TempData["Message"] = "Consent revoked.";
        return RedirectToPage(new { id });
    }

    public async Task<IActionResult> OnPostDismissFlagAsync(int id, int flagId, string? reason, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        try
        {
            await flags.DismissAsync([flagId], reason, db.Students.Where(s => s.Id == id).Select(s => s.Id), access.Actor, ct);
        }
        catch (NotFoundException)
        {
            return NotFound();
        }
        catch (Exception e) when (e is ValidationFailedException or ConcurrencyConflictException)
        {
            db.ChangeTracker.Clear();
            ModelState.AddModelError("", CoreText.Of(e));
            await LoadAsync(id, ct);
            return Page();
        }
        TempData["Message"] = "Flag dismissed.";
        return RedirectToPage(new { id });
    }

    public async Task<IActionResult> OnPostWithdrawAsync(int id, int referralId, Guid? referralVersion, string? note, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        var referral = await db.Referrals.Include(r => r.Events).SingleOrDefaultAsync(r => r.Id == referralId && r.StudentId == id, ct);
        if (referral is null) return NotFound();
        try
        {
            await referrals.WithdrawAsync(referral, note, access.Actor, referralVersion, ct);
        }
        catch (Exception e) when (e is SuccessPlans.Features.Referrals.IllegalTransitionException or ConcurrencyConflictException)
        {
            db.ChangeTracker.Clear();
            ModelState.Clear();
            await LoadAsync(id, ct);
            ModelState.AddModelError("", CoreText.Of(e));
            return Page();
        }
        TempData["Message"] = "Referral withdrawn.";
        return Redirect($"/Students/{id}#referrals");
    }

    /// <summary>Runs one plan change; a validation error or a conflict shows on the page, nothing half-saved.</summary>
    private async Task<IActionResult> ChangePlanAsync(int id, Func<Student, SuccessPlan, Task> change, string done, string prefix, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        if (Plan is null)
        {
            ModelState.AddModelError("", "This student has no plan for this school year yet: start with a review.");
            return Page();
        }
        try
        {
            await change(Student, Plan);
        }
        catch (ValidationFailedException e)
        {
            ModelState.AddErrors(e, field => prefix.Length > 0 ? $"{prefix}.{field}" : field == PlanService.ConfirmCloseField ? field : "");
            return Page();
        }
        catch (NotFoundException)
        {
            return NotFound();
        }
        catch (ConcurrencyConflictException e)
        {
            db.ChangeTracker.Clear();
            ModelState.Clear();
            await LoadAsync(id, ct);
            ModelState.AddModelError("", CoreText.Of(e));
            return Page();
        }
        TempData["Message"] = done;
        return RedirectToPage(new { id });
    }

    /// <summary>The page's data; <paramref name="toShow"/> (a GET): the student and plan untracked, by compiled queries.</summary>
    private async Task<bool> LoadAsync(int id, CancellationToken ct, bool toShow = false)
    {
        Today = await plans.TodayAsync(ct);
        SchoolYear = SchoolYears.For(Today);
        StudentPageSections sections;
        if (toShow)
        {
            // One statement for the child, which sections have rows and whether an update is unread (StudentPage.HeadOf).
            var head = await StudentPage.HeadAsync(db, id, SchoolYear, me.Id, ct);
            if (head is null || !await access.MayShowAsync(head.Student, ct)) return false;
            (Student, _unreadUpdates) = (head.Student, head.UnreadUpdates);
            Plan = await StudentPage.PlanAsync(db, id, SchoolYear, ct);
            sections = await StudentPage.LoadAsync(db, id, SchoolYear, head.Has, ct);
        }
        else
        {
            if (await access.FindAsync(id, ct) is not { } student) return false;
            Student = student;
            Plan = await plans.FindPlanAsync(id, SchoolYear, ct);
            sections = await StudentPage.LoadAsync(db, id, SchoolYear, ct);
        }
        if (Plan is not null && !ModelState.ContainsKey(nameof(PlanVersion)))
            PlanVersion = Plan.Version;
        (PastPlans, Consents, Reviews, Referrals, Flags, Disclosures, History, Notes, Indicators) =
            (sections.PastPlans, sections.Consents, sections.Reviews, sections.Referrals, sections.OpenFlags, sections.Disclosures, sections.History, sections.Notes, sections.Indicators);
        Goals = Plan is null ? new Dictionary<int, GoalView>() : await goalSeries.ForAsync(id, Plan.Items, Today, ct);
        var mySchools = await me.SchoolIdsAsync(ct);
        ConversationReferralIds = Referrals.Where(r => r.Status != SuccessPlans.Features.Referrals.ReferralStatus.Draft && mySchools.Contains(r.SchoolId)).Select(r => r.Id).ToHashSet();
        var conversation = ConversationReferralIds.ToArray();
        // No referral to talk about (most children): no query.
        Messages = (conversation.Length == 0 ? [] : await StudentPage.MessagesAsync(db, conversation, ct))
            .ToLookup(m => m.ReferralId);
        ReferredNeedIds = Referrals.Select(r => r.NeedId).ToHashSet();
        return true;
    }

    /// <summary>What the goal panel of a need shows and offers.</summary>
    public GoalPanel PanelFor(PlanItem need) => new(need, Goals.GetValueOrDefault(need.Id), CanEdit, PlanVersion, Student.Id, Today,
        Referrals.Where(r => r.NeedId == need.Id && r.IsSuccess).ToList());

    public bool CanEdit => Student.Status == StudentStatus.Active && Plan is { Status: not PlanStatus.Closed };
}

public sealed record GoalPanel(PlanItem Need, GoalView? View, bool CanEdit, Guid PlanVersion, int StudentId, DateOnly Today,
    IReadOnlyList<SuccessPlans.Features.Referrals.Referral> Served);
