using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Referrals;
using SuccessPlans.Features.Users;

namespace SuccessPlans.Web.Features.Provider;

/// <summary>Group attendance: one session of a service recorded for many of its children at once.</summary>
[Authorize(Policy = Roles.Provider)]
public class AttendanceModel(AppDbContext db, ProviderAccess access, ReferralService referrals, PlanService plans, IStringLocalizer<AttendanceModel> L) : PageModel
{
    public sealed record Child(int ReferralId, string? Name, string? Grade, string? School, ReferralStatus Status);
    public sealed record ServiceChoice(int Id, string Name, int Children);

    public IReadOnlyList<ServiceChoice> Services { get; private set; } = [];
    public int? ServiceId { get; private set; }
    public string? ServiceName { get; private set; }
    public IReadOnlyList<Child> Children { get; private set; } = [];
    public DateOnly Today { get; private set; }
    public HashSet<int> Ticked { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(int? serviceId, CancellationToken ct) =>
        await LoadAsync(serviceId, ct) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(int serviceId, int[]? referralIds, DateOnly? deliveredOn, int? amount, DeliveryUnit? unit, string? note, CancellationToken ct)
    {
        if (!await LoadAsync(serviceId, ct)) return NotFound();
        Ticked = [.. referralIds ?? []];
        try
        {
            var count = await referrals.RecordGroupDeliveryAsync(await access.ReferralsAsync(ct), serviceId, referralIds ?? [], deliveredOn, amount, unit, note, access.Actor, ct);
            TempData["Message"] = L["Recorded for {0} child(ren).", count].Value;
            return Redirect($"/Provider/Attendance?serviceId={serviceId}");
        }
        catch (ValidationFailedException e)
        {
            ModelState.AddErrors(e, _ => "");
        }
        catch (CoreException e) when (e is IllegalTransitionException or ConcurrencyConflictException or NotFoundException)
        {
            if (e is NotFoundException) ModelState.AddModelError("", L["Some of the children ticked are no longer open referrals of this service; nothing was recorded."]);
            else ModelState.AddError(e);
        }
        db.ChangeTracker.Clear();
        await LoadAsync(serviceId, ct);
        return Page();
    }

    private async Task<bool> LoadAsync(int? serviceId, CancellationToken ct)
    {
        Today = await plans.TodayAsync(ct);
        var open = (await access.ReferralsAsync(ct)).Where(r => r.Status == ReferralStatus.Accepted || r.Status == ReferralStatus.InService);
        var org = await access.OrganizationIdAsync(ct);
        Services = (await db.Services.Where(s => s.OrganizationId == org)
                .Select(s => new { s.Id, s.Name, Children = open.Count(r => r.ServiceId == s.Id) })
                .Where(s => s.Children > 0).OrderBy(s => s.Name).ToListAsync(ct))
            .Select(s => new ServiceChoice(s.Id, s.Name, s.Children)).ToList();
        if (serviceId is not { } id) return true;
        ServiceName = await db.Services.Where(s => s.Id == id && s.OrganizationId == org).Select(s => s.Name).SingleOrDefaultAsync(ct);
        if (ServiceName is null) return false;
        ServiceId = id;
        Children = await open.Where(r => r.ServiceId == id).OrderBy(r => r.SharedChildName)
            .Select(r => new Child(r.Id, r.SharedChildName, r.SharedGrade, r.SharedSchool, r.Status)).ToListAsync(ct);
        return true;
    }
}
