using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Referrals;
using SuccessPlans.Features.Users;

namespace SuccessPlans.Web.Features.Provider;

/// <summary>One referral for the provider: what was shared, the answer, services delivered, messages and closing.</summary>
[Authorize(Policy = Roles.Provider)]
public class ReferralModel(AppDbContext db, ProviderAccess access, ReferralService referrals, PlanService plans, SuccessPlans.Web.Features.Notifications.UnreadUpdates updates, SuccessPlans.Web.Features.Audit.AccessRecorder accessLog, IStringLocalizer<ReferralModel> L) : PageModel
{
    public Referral Referral { get; private set; } = null!;
    public IReadOnlyList<ReferralMessage> Messages { get; private set; } = [];
    public DateOnly Today { get; private set; }
    [BindProperty] public Guid? Version { get; set; }

    public async Task<IActionResult> OnGetAsync(int id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        await accessLog.RecordAsync(SuccessPlans.Features.Audit.AccessAction.ViewReferral, Referral.StudentId, referralId: id, ct: ct);
        // Opening the referral reads its updates (messages from the school).
        await updates.MarkReadAsync([id], ct);
        return Page();
    }

    public Task<IActionResult> OnPostAcceptAsync(int id, CancellationToken ct) =>
        ActAsync(id, r => referrals.AcceptAsync(r, access.Actor, Version, ct), L["Accepted."], ct);

    public Task<IActionResult> OnPostDeclineAsync(int id, string? outcome, string? note, CancellationToken ct) =>
        ActAsync(id, r => referrals.DeclineAsync(r, ReferralOutcomes.Parse(outcome), note, access.Actor, Version, ct), L["Declined."], ct);

    public Task<IActionResult> OnPostDeliverAsync(int id, DateOnly? deliveredOn, int? amount, DeliveryUnit? unit, string? note, CancellationToken ct) =>
        ActAsync(id, r => referrals.RecordDeliveryAsync(r, deliveredOn, amount, unit, note, access.Actor, Version, ct), L["Service recorded."], ct);

    public Task<IActionResult> OnPostCloseAsync(int id, string? outcome, string? note, CancellationToken ct) =>
        ActAsync(id, r => referrals.CloseAsync(r, ReferralOutcomes.Parse(outcome), note, access.Actor, Version, ct), L["Closed."], ct);

    public Task<IActionResult> OnPostCorrectDeliveryAsync(int id, int deliveryId, bool? remove, DateOnly? deliveredOn, int? amount, DeliveryUnit? unit, string? note, string? reason, CancellationToken ct) =>
        ActAsync(id, r => referrals.CorrectDeliveryAsync(r, deliveryId, remove == true, deliveredOn, amount, unit, note, reason, access.Actor, Version, ct),
            remove == true ? L["Delivery removed."] : L["Delivery corrected."], ct);

    public Task<IActionResult> OnPostMessageAsync(int id, string? text, CancellationToken ct) =>
        ActAsync(id, r => referrals.PostMessageAsync(r, MessageSide.Provider, text, access.Actor, ct), L["Message sent."], ct, "#messages");

    /// <summary>Any refusal (illegal transition, bad input, someone else first) is shown; nothing changed.</summary>
    private async Task<IActionResult> ActAsync(int id, Func<Referral, Task> action, string done, CancellationToken ct, string anchor = "")
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        try
        {
            await action(Referral);
        }
        catch (ValidationFailedException e)
        {
            db.ChangeTracker.Clear();
            ModelState.AddErrors(e, _ => "");
            await LoadAsync(id, ct);
            return Page();
        }
        catch (NotFoundException)
        {
            return NotFound();
        }
        catch (CoreException e) when (e is IllegalTransitionException or ConcurrencyConflictException)
        {
            db.ChangeTracker.Clear();
            ModelState.Clear();
            await LoadAsync(id, ct);
            ModelState.AddError(e);
            return Page();
        }
        TempData["Message"] = done;
        return Redirect($"/Provider/Referrals/{id}{anchor}");
    }

    private async Task<bool> LoadAsync(int id, CancellationToken ct)
    {
        var referral = await access.FindAsync(id, ct);
        if (referral is null) return false;
        Referral = referral;
        Messages = await db.ReferralMessages.AsNoTracking().Where(m => m.ReferralId == id).OrderBy(m => m.At).ThenBy(m => m.Id).ToListAsync(ct);
        Today = await plans.TodayAsync(ct);
        if (!ModelState.ContainsKey(nameof(Version)) || ModelState.ErrorCount > 0) Version = referral.Version;
        return true;
    }

}
