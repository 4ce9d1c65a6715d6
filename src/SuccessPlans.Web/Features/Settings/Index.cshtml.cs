using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using SuccessPlans.Features.Jobs;
using SuccessPlans.Features.Tenants;
using SuccessPlans.Features.Users;

namespace SuccessPlans.Web.Features.Settings;

/// <summary>The tenant's settings: name, time zone, nightly hour, thresholds.</summary>
[Authorize(Policy = Roles.Admin)]
public class IndexModel(AppDbContext db, RecurringJobsRegistrar registrar, IStringLocalizer<IndexModel> L) : PageModel
{
    [BindProperty] public SettingsInput Input { get; set; } = new();
    public IReadOnlyList<string> TimeZones { get; } = TimeZoneInfo.GetSystemTimeZones().Select(z => z.Id).Where(id => id.Contains('/')).Order().ToList();

    public sealed class SettingsInput
    {
        [Required, StringLength(200), Display(Name = "Partnership name")] public string Name { get; set; } = "";
        [Required, Display(Name = "Time zone")] public string TimeZoneId { get; set; } = "";
        [Range(0, 23), Display(Name = "Nightly jobs run at (local hour)")] public int NightlyHour { get; set; }
        [Range(1, 1000), Display(Name = "Cabinet suppression threshold (children)")] public int SuppressionThreshold { get; set; }
        [Range(1, 365), Display(Name = "Unmet need after (days)")] public int UnmetNeedDays { get; set; }
        [Range(1, 365), Display(Name = "No response after (days)")] public int NoResponseDays { get; set; }
        [Range(1, 365), Display(Name = "Stalled after (days)")] public int StalledDays { get; set; }
        [Range(1, 365), Display(Name = "Unanswered referrals expire after (days)")] public int ReferralExpiryDays { get; set; }
        [Range(7, 3650), Display(Name = "Keep sent emails for (days)")] public int NotificationRetentionDays { get; set; }
        [Range(SuccessPlans.Features.Tenants.Tenant.MinAbandonedUploadRetentionDays, SuccessPlans.Features.Tenants.Tenant.MaxAbandonedUploadRetentionDays,
            ErrorMessage = "Keep uploads not imported for between 1 and 60 days (the data agreement allows 60 at most).")]
        [Display(Name = "Keep uploads not imported for (days)")] public int AbandonedUploadRetentionDays { get; set; } = SuccessPlans.Features.Tenants.Tenant.DefaultAbandonedUploadRetentionDays;
        [Display(Name = "Require two-factor authentication for every user (Admins always need it)")] public bool RequireTwoFactor { get; set; }
        [Range(1, 100), Display(Name = "Satisfactory attendance from (%)")] public int AttendanceSatisfactoryPercent { get; set; } = 95;
        [Range(1, 100), Display(Name = "At risk from (%)")] public int AttendanceAtRiskPercent { get; set; } = 90;
        [Range(1, 100), Display(Name = "Chronically absent from (%); below it, severely")] public int AttendanceChronicPercent { get; set; } = 80;
        public Guid Version { get; set; }
    }

    public async Task OnGetAsync(CancellationToken ct)
    {
        var t = await db.Tenants.AsNoTracking().SingleAsync(ct);
        Input = new SettingsInput
        {
            Name = t.Name, TimeZoneId = t.TimeZoneId, NightlyHour = t.NightlyHour, SuppressionThreshold = t.SuppressionThreshold,
            UnmetNeedDays = t.UnmetNeedDays, NoResponseDays = t.NoResponseDays, StalledDays = t.StalledDays, ReferralExpiryDays = t.ReferralExpiryDays,
            NotificationRetentionDays = t.NotificationRetentionDays, Version = t.Version,
            AbandonedUploadRetentionDays = t.AbandonedUploadRetentionDays,
            AttendanceSatisfactoryPercent = t.AttendanceSatisfactoryPercent, AttendanceAtRiskPercent = t.AttendanceAtRiskPercent, AttendanceChronicPercent = t.AttendanceChronicPercent,
        };
        Input.RequireTwoFactor = t.RequireTwoFactor;
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!Tenant.IsKnownTimeZone(Input.TimeZoneId))
            ModelState.AddModelError("Input.TimeZoneId", L["Choose a time zone from the list (for example America/New_York)."]);
        if (Tenant.AttendanceBandsError(Input.AttendanceSatisfactoryPercent, Input.AttendanceAtRiskPercent, Input.AttendanceChronicPercent) is { } bands)
            ModelState.AddModelError("Input.AttendanceAtRiskPercent", bands);
        if (!ModelState.IsValid)
            return Page();

        var tenant = await db.Tenants.SingleAsync(ct);
        db.Entry(tenant).Property(t => t.Version).OriginalValue = Input.Version;
        tenant.Name = Input.Name.Trim();
        tenant.TimeZoneId = Input.TimeZoneId;
        tenant.NightlyHour = Input.NightlyHour;
        tenant.SuppressionThreshold = Input.SuppressionThreshold;
        tenant.UnmetNeedDays = Input.UnmetNeedDays;
        tenant.NoResponseDays = Input.NoResponseDays;
        tenant.StalledDays = Input.StalledDays;
        tenant.ReferralExpiryDays = Input.ReferralExpiryDays;
        tenant.NotificationRetentionDays = Input.NotificationRetentionDays;
        tenant.AbandonedUploadRetentionDays = Input.AbandonedUploadRetentionDays;
        tenant.RequireTwoFactor = Input.RequireTwoFactor;
        (tenant.AttendanceSatisfactoryPercent, tenant.AttendanceAtRiskPercent, tenant.AttendanceChronicPercent) =
            (Input.AttendanceSatisfactoryPercent, Input.AttendanceAtRiskPercent, Input.AttendanceChronicPercent);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            ModelState.Clear();
            db.ChangeTracker.Clear();
            await OnGetAsync(ct);
            ModelState.AddModelError("", L["Someone else changed the settings while you were editing. The form now shows their version; make your change again."]);
            return Page();
        }
        registrar.RegisterTenant(tenant);
        TempData["Message"] = L["Settings saved."].Value;
        return RedirectToPage();
    }
}
