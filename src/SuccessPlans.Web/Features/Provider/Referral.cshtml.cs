using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Referrals;
using SuccessPlans.Features.Users;

namespace SuccessPlans.Web.Features.Provider;

/// <summary>One referral for the provider: what was shared, and the answer, services delivered and closing.</summary>
[Authorize(Policy = Roles.Provider)]
public class ReferralModel(AppDbContext db, ProviderAccess access, ReferralService referrals, PlanService plans) : PageModel
{
    public Referral Referral { get; private set; } = null!;
    public DateOnly Today { get; private set; }
    [BindProperty] public Guid? Version { get; set; }

    public async Task<IActionResult> OnGetAsync(int id, CancellationToken ct) => await LoadAsync(id, ct) ? Page() : NotFound();

    public Task<IActionResult> OnPostAcceptAsync(int id, CancellationToken ct) =>
        ActAsync(id, r => referrals.AcceptAsync(r, access.Actor, Version, ct), "Accepted.", ct);

    public Task<IActionResult> OnPostDeclineAsync(int id, DeclineReason? reason, string? note, CancellationToken ct) =>
        ActAsync(id, r => referrals.DeclineAsync(r, reason, note, access.Actor, Version, ct), "Declined.", ct);

    public Task<IActionResult> OnPostDeliverAsync(int id, DateOnly? deliveredOn, int? amount, DeliveryUnit? unit, string? note, CancellationToken ct) =>
        ActAsync(id, r => referrals.RecordDeliveryAsync(r, deliveredOn, amount, unit, note, access.Actor, Version, ct), "Service recorded.", ct);

    public Task<IActionResult> OnPostCompleteAsync(int id, string? outcome, CancellationToken ct) =>
        ActAsync(id, r => referrals.CompleteAsync(r, outcome, access.Actor, Version, ct), "Completed.", ct);

    public Task<IActionResult> OnPostCloseAsync(int id, UnsuccessfulReason? reason, string? note, CancellationToken ct) =>
        ActAsync(id, r => referrals.CloseUnsuccessfulAsync(r, reason, note, access.Actor, Version, ct), "Closed.", ct);

    /// <summary>Any refusal (illegal transition, bad input, someone else first) is shown; nothing changed.</summary>
    private async Task<IActionResult> ActAsync(int id, Func<Referral, Task> action, string done, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        try
        {
            await action(Referral);
        }
        catch (ValidationFailedException e)
        {
            foreach (var m in e.Errors.SelectMany(x => x.Value)) ModelState.AddModelError("", m);
            return Page();
        }
        catch (Exception e) when (e is IllegalTransitionException or ConcurrencyConflictException)
        {
            db.ChangeTracker.Clear();
            ModelState.Clear();
            await LoadAsync(id, ct);
            ModelState.AddModelError("", e.Message);
            return Page();
        }
        TempData["Message"] = done;
        return RedirectToPage(new { id });
    }

    private async Task<bool> LoadAsync(int id, CancellationToken ct)
    {
        var referral = await access.FindAsync(id, ct);
        if (referral is null) return false;
        Referral = referral;
        Today = await plans.TodayAsync(ct);
        if (!ModelState.ContainsKey(nameof(Version))) Version = referral.Version;
        return true;
    }
}
