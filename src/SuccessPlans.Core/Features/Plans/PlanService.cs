using SuccessPlans.Data;
using SuccessPlans.Features.Students;

namespace SuccessPlans.Features.Plans;

/// <summary>Who is acting, for the student's history.</summary>
public sealed record Actor(int? UserId, string Name);

/// <summary>Input was wrong; nothing was saved. Keys are field names, as ASP.NET's validation uses them.</summary>
public sealed class ValidationFailedException(IDictionary<string, CoreMessage[]> messages)
    : CoreException(CoreMessage.Untranslated(string.Join(" ", messages.SelectMany(e => e.Value))))
{
    /// <summary>The errors by field, as Core wrote them (the Web layer translates them for the reader).</summary>
    public IDictionary<string, CoreMessage[]> Messages { get; } = messages;

    /// <summary>The errors by field in English (the API's ProblemDetails).</summary>
    public IDictionary<string, string[]> Errors { get; } = messages.ToDictionary(e => e.Key, e => e.Value.Select(m => m.ToString()).ToArray());

    public static ValidationFailedException For(string field, CoreMessage message) => new(new Dictionary<string, CoreMessage[]> { [field] = [message] });
}

/// <summary>A use case's refusal; <see cref="Text"/> is the message for the user, translated by the Web layer.</summary>
public abstract class CoreException(CoreMessage text) : Exception(text.ToString())
{
    public CoreMessage Text { get; } = text;
}

/// <summary>Someone else saved the same record first; nothing was saved.</summary>
public sealed class ConcurrencyConflictException(CoreMessage message) : CoreException(message);

/// <summary>The record is not there for this user (or never was); pages answer 404, the API a 404 ProblemDetails.</summary>
public sealed class NotFoundException(CoreMessage message) : CoreException(message);

public sealed record NewPlanItem(Domain? Domain, PlanItemKind? Kind, string? Description, string? Goal = null, NeedPriority? Priority = null);

/// <summary>
/// The rules of success plans, shared by the pages and the API: one plan per student per school year,
/// valid items, no change to a withdrawn student's plan, no silent overwrite, and every change in the
/// student's history. Callers have already checked that the user may see the student.
/// </summary>
public sealed partial class PlanService(AppDbContext db, TimeProvider time, SuccessPlans.Features.Flags.FlagService flags, SuccessPlans.Features.Tenants.TenantSettingsCache settings)
{
    private DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>Today in the tenant's time zone: "a next review date in the past" is judged locally.</summary>
    public Task<DateOnly> TodayAsync(CancellationToken ct = default) => LocalDateAsync(Now, ct);

    /// <summary>The tenant's calendar date at a UTC instant.</summary>
    public async Task<DateOnly> LocalDateAsync(DateTime utc, CancellationToken ct = default)
    {
        var zone = (await settings.GetAsync(ct)).TimeZoneId;
        return DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(utc, TimeZoneInfo.FindSystemTimeZoneById(zone)));
    }

    public Task<SuccessPlan?> FindPlanAsync(int studentId, int schoolYear, CancellationToken ct = default) =>
        db.Plans.Include(p => p.Items).SingleOrDefaultAsync(p => p.StudentId == studentId && p.SchoolYear == schoolYear, ct);

    /// <summary>
    /// The whole-class review of one child: sets the term's tier, creates the year's plan if there is none,
    /// and adds the strengths, needs and interests noted. One save.
    /// </summary>
    public async Task<SuccessPlan> RecordReviewAsync(Student student, int? tier, IReadOnlyList<NewPlanItem> items, Actor actor, Guid? planVersion, CancellationToken ct = default)
    {
        EnsureActive(student);
        var errors = new Dictionary<string, CoreMessage[]>();
        if (tier is not (1 or 2 or 3))
            errors["Tier"] = ["Choose tier 1, 2 or 3."];
        for (var i = 0; i < items.Count; i++)
            foreach (var (field, message) in ValidateItem(items[i]))
                errors[$"Items[{i}].{field}"] = [message];
        if (errors.Count > 0)
            throw new ValidationFailedException(errors);

        var today = await TodayAsync(ct);
        var year = SchoolYears.For(today);
        var term = SchoolYears.TermFor(today);
        var plan = await FindPlanAsync(student.Id, year, ct);
        if (plan is null)
        {
            plan = new SuccessPlan { Student = student, StudentId = student.Id, SchoolYear = year, CreatedAt = Now, Status = PlanStatus.Active };
            db.Plans.Add(plan);
            Record(student.Id, actor, "plan created", $"Success plan for {SchoolYears.Label(year)}");
        }
        else
        {
            CheckVersion(plan, planVersion);
            if (plan.Status == PlanStatus.Closed)
                throw ValidationFailedException.For("Plan", "This year's plan is closed; it cannot be reviewed again.");
        }

        var review = await db.Reviews.SingleOrDefaultAsync(r => r.StudentId == student.Id && r.SchoolYear == year && r.Term == term, ct);
        if (review is null)
            db.Reviews.Add(review = new Review { StudentId = student.Id, SchoolYear = year, Term = term, ReviewerName = actor.Name });
        review.Tier = tier!.Value;
        review.ReviewerUserId = actor.UserId;
        review.ReviewerName = actor.Name;
        review.ReviewedOn = today;
        if (plan.Tier != tier || plan.Id == 0)
            Record(student.Id, actor, "tier set", $"Tier {tier} ({term} review)");
        plan.Tier = tier.Value;
        // Tier 3 plans are revisited every six weeks.
        if (tier == 3 && (plan.NextReviewDue is null || plan.NextReviewDue < today))
            plan.NextReviewDue = today.AddDays(42);

        foreach (var item in items)
            AddItem(plan, item, today, actor);
        // A need in the plan is the plan the "indicator without a plan" flag asked for.
        if (items.Any(i => i.Kind == PlanItemKind.Need))
            await flags.ResolveAsync(SuccessPlans.Features.Flags.FlagKind.IndicatorWithoutPlan, student.Id, ct);
        Touch(plan);
        await SaveAsync(ct);
        return plan;
    }

    public async Task<PlanItem> AddItemAsync(Student student, SuccessPlan plan, NewPlanItem item, Actor actor, Guid? planVersion, CancellationToken ct = default)
    {
        EnsureEditable(student, plan);
        CheckVersion(plan, planVersion);
        var errors = ValidateItem(item).ToDictionary(e => e.Field, e => new[] { e.Message });
        if (errors.Count > 0)
            throw new ValidationFailedException(errors);
        var added = AddItem(plan, item, await TodayAsync(ct), actor);
        if (added.Kind == PlanItemKind.Need)
            await flags.ResolveAsync(SuccessPlans.Features.Flags.FlagKind.IndicatorWithoutPlan, student.Id, ct);
        Touch(plan);
        await SaveAsync(ct);
        return added;
    }

    /// <summary>Changes a need's goal, priority or status (open, met, closed unmet).</summary>
    public async Task UpdateNeedAsync(Student student, SuccessPlan plan, int itemId, NeedStatus? status, string? goal, NeedPriority? priority, Actor actor, Guid? planVersion, CancellationToken ct = default)
    {
        EnsureEditable(student, plan);
        CheckVersion(plan, planVersion);
        var need = plan.Items.SingleOrDefault(i => i.Id == itemId && i.Kind == PlanItemKind.Need)
                   ?? throw ValidationFailedException.For("ItemId", "This plan has no such need.");
        if (goal?.Length > 1000)
            throw ValidationFailedException.For("Goal", "The goal is longer than 1000 characters.");
        var changes = new List<string>();
        if (status is { } s && s != need.Status)
        {
            changes.Add($"status {need.Status} → {s}");
            need.Status = s;
            need.ResolvedOn = s == NeedStatus.Open ? null : await TodayAsync(ct);
        }
        if (goal is not null && goal.Trim() != (need.Goal ?? ""))
        {
            changes.Add("goal changed");
            need.Goal = goal.Trim().Length == 0 ? null : goal.Trim();
        }
        if (priority is { } p && p != need.Priority)
        {
            changes.Add($"priority {need.Priority} → {p}");
            need.Priority = p;
        }
        if (changes.Count == 0)
            return;
        if (need.Status != NeedStatus.Open)
            await flags.ResolveClosedNeedAsync(need.Id, ct);
        Record(student.Id, actor, "need updated", $"{Labels.English(() => Labels.Words(need.Domain))}: {need.Description} ({string.Join(", ", changes)})");
        Touch(plan);
        await SaveAsync(ct);
    }

    public async Task RemoveItemAsync(Student student, SuccessPlan plan, int itemId, Actor actor, Guid? planVersion, CancellationToken ct = default)
    {
        EnsureEditable(student, plan);
        CheckVersion(plan, planVersion);
        var item = plan.Items.SingleOrDefault(i => i.Id == itemId) ?? throw ValidationFailedException.For("ItemId", "This plan has no such item.");
        // A referral shared this need with a provider: the need stays on the record with the referral.
        if (item.Kind == PlanItemKind.Need && await db.Referrals.AnyAsync(r => r.NeedId == item.Id, ct))
            throw ValidationFailedException.For("ItemId", "This need has a referral, so it stays on the record. Close it as no longer needed instead.");
        if (item.Kind == PlanItemKind.Need)
            await flags.ResolveAsync(SuccessPlans.Features.Flags.FlagKind.UnmetNeed, item.Id, ct);
        db.PlanItems.Remove(item);
        Record(student.Id, actor, $"{item.Kind.ToString().ToLowerInvariant()} removed", $"{Labels.English(() => Labels.Words(item.Domain))}: {item.Description}");
        Touch(plan);
        await SaveAsync(ct);
    }

    public async Task SetNextReviewAsync(Student student, SuccessPlan plan, DateOnly? date, Actor actor, Guid? planVersion, CancellationToken ct = default)
    {
        EnsureEditable(student, plan);
        CheckVersion(plan, planVersion);
        if (date is { } d && d < await TodayAsync(ct))
            throw ValidationFailedException.For("NextReviewDue", "The next review date cannot be in the past.");
        plan.NextReviewDue = date;
        await flags.ResolveAsync(SuccessPlans.Features.Flags.FlagKind.ReviewOverdue, plan.Id, ct);
        Touch(plan);
        Record(student.Id, actor, "next review set", date?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) ?? "none");
        await SaveAsync(ct);
    }

    /// <summary>
    /// Closes the year's plan. Open referrals stay with their providers, so the coordinator is asked first:
    /// without <paramref name="confirmOpenReferrals"/> a plan with open referrals is refused with a "ConfirmClose" error.
    /// </summary>
    public async Task ClosePlanAsync(Student student, SuccessPlan plan, Actor actor, Guid? planVersion, CancellationToken ct = default, bool confirmOpenReferrals = false)
    {
        EnsureEditable(student, plan);
        CheckVersion(plan, planVersion);
        var open = await db.Referrals.CountAsync(r => r.Need.PlanId == plan.Id
            && (r.Status == Referrals.ReferralStatus.Sent || r.Status == Referrals.ReferralStatus.Accepted || r.Status == Referrals.ReferralStatus.InService), ct);
        if (open > 0 && !confirmOpenReferrals)
            throw ValidationFailedException.For(ConfirmCloseField, $"{open} referral(s) of this plan are still open. They stay open with their providers; withdraw them first if the services should stop. Close the plan anyway?");
        plan.Status = PlanStatus.Closed;
        plan.ClosedAt = Now;
        Touch(plan);
        Record(student.Id, actor, "plan closed", $"Success plan for {SchoolYears.Label(plan.SchoolYear)}");
        await SaveAsync(ct);
    }

    public const string ConfirmCloseField = "ConfirmClose";

    /// <summary>
    /// The coordinator's one click after a provider reports the goal met: the need becomes met, with the referral
    /// named in the history. Until then the nightly check treats the need as waiting, not unmet.
    /// </summary>
    public async Task ConfirmNeedMetAsync(Student student, SuccessPlan plan, int referralId, Actor actor, Guid? planVersion, CancellationToken ct = default)
    {
        EnsureEditable(student, plan);
        CheckVersion(plan, planVersion);
        var referral = await db.Referrals.Where(r => r.Id == referralId && r.StudentId == student.Id)
            .Select(r => new { r.NeedId, r.Status, r.Outcome, Service = r.Service.Name, Organization = r.Organization.Name }).SingleOrDefaultAsync(ct)
            ?? throw new NotFoundException("This student has no such referral.");
        var need = plan.Items.SingleOrDefault(i => i.Id == referral.NeedId && i.Kind == PlanItemKind.Need)
            ?? throw ValidationFailedException.For("ReferralId", "This referral's need is not on this year's plan.");
        if (referral is not { Status: Referrals.ReferralStatus.Completed, Outcome: Referrals.ReferralOutcome.GotHelp })
            throw ValidationFailedException.For("ReferralId", "Only a referral completed with the goal met can confirm a need met.");
        if (need.Status != NeedStatus.Open)
            throw ValidationFailedException.For("ReferralId", "This need is no longer open.");
        need.Status = NeedStatus.Met;
        need.ResolvedOn = await TodayAsync(ct);
        await flags.ResolveClosedNeedAsync(need.Id, ct);
        Record(student.Id, actor, "need met", $"{Labels.English(() => Labels.Words(need.Domain))}: {need.Description} (confirmed: {referral.Organization} reported the goal met, referral #{referralId}, {referral.Service})");
        Touch(plan);
        await SaveAsync(ct);
    }

    /// <summary>Every change to a plan or its items updates the plan row, so its version moves and a stale save is caught.</summary>
    private void Touch(SuccessPlan plan)
    {
        plan.UpdatedAt = Now;
        if (plan.Id != 0)
            db.Entry(plan).Property(p => p.UpdatedAt).IsModified = true;
    }

    public void Record(int studentId, Actor actor, string action, string? details) =>
        db.StudentEvents.Add(new StudentEvent { StudentId = studentId, At = Now, UserId = actor.UserId, UserName = actor.Name, Action = action, Details = details });

    private PlanItem AddItem(SuccessPlan plan, NewPlanItem input, DateOnly today, Actor actor)
    {
        var need = input.Kind == PlanItemKind.Need;
        var item = new PlanItem
        {
            Plan = plan,
            Domain = input.Domain!.Value,
            Kind = input.Kind!.Value,
            Description = input.Description!.Trim(),
            Goal = need && !string.IsNullOrWhiteSpace(input.Goal) ? input.Goal.Trim() : null,
            Priority = need ? input.Priority ?? NeedPriority.Medium : null,
            Status = need ? NeedStatus.Open : null,
            IdentifiedOn = need ? today : null,
            CreatedAt = Now,
        };
        plan.Items.Add(item);
        Record(plan.StudentId, actor, $"{item.Kind.ToString().ToLowerInvariant()} added", $"{Labels.English(() => Labels.Words(item.Domain))}: {item.Description}");
        return item;
    }

    private static IEnumerable<(string Field, CoreMessage Message)> ValidateItem(NewPlanItem item)
    {
        if (item.Domain is not { } d || !Enum.IsDefined(d))
            yield return ("Domain", "Choose a domain: academic, social-emotional-behavioral, health or family.");
        if (item.Kind is not { } k || !Enum.IsDefined(k))
            yield return ("Kind", "Choose strength, need or interest.");
        if (string.IsNullOrWhiteSpace(item.Description))
            yield return ("Description", "Describe the strength, need or interest.");
        else if (item.Description.Length > 1000)
            yield return ("Description", "The description is longer than 1000 characters.");
        if (item.Goal?.Length > 1000)
            yield return ("Goal", "The goal is longer than 1000 characters.");
        if (item.Priority is { } p && !Enum.IsDefined(p))
            yield return ("Priority", "Choose a priority: low, medium or high.");
    }

    private static void EnsureActive(Student student)
    {
        if (student.Status == StudentStatus.Withdrawn)
            throw ValidationFailedException.For("Student", "This student has withdrawn; their plan can be read but not changed.");
    }

    private static void EnsureEditable(Student student, SuccessPlan plan)
    {
        EnsureActive(student);
        if (plan.Status == PlanStatus.Closed)
            throw ValidationFailedException.For("Plan", "This plan is closed.");
    }

    /// <summary>The version the user saw: a change saved since then is not silently overwritten.</summary>
    private void CheckVersion(SuccessPlan plan, Guid? seen)
    {
        if (seen is { } v && v != plan.Version)
            throw new ConcurrencyConflictException("Someone else changed this plan while you were working on it. The page now shows their version.");
        if (seen is { } version)
            db.Entry(plan).Property(p => p.Version).OriginalValue = version;
    }

    private async Task SaveAsync(CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConcurrencyConflictException("Someone else changed this plan while you were working on it. The page now shows their version.");
        }
        catch (DbUpdateException) when (db.ChangeTracker.Entries<SuccessPlan>().Any(e => e.State == EntityState.Added))
        {
            // Two reviews of the same child created the year's plan at once; the unique index kept one.
            throw new ConcurrencyConflictException("Someone else created this student's plan at the same moment. The page now shows it.");
        }
    }
}
