using Hangfire;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SuccessPlans.Features.Jobs;
using SuccessPlans.Features.Notifications;
using SuccessPlans.Features.Users;
using SuccessPlans.Web.Features.Account;

namespace SuccessPlans.Web.Features.Jobs;

/// <summary>The Admin's view of their own tenant's job runs and outbox; the Hangfire dashboard stays the operator's.</summary>
[Authorize(Policy = Roles.Admin)]
public class IndexModel(AppDbContext db, IBackgroundJobClient jobs, CurrentTenant tenant, CurrentUser me) : PageModel
{
    public sealed record JobSummary(TenantJobDefinition Definition, int LocalHour, JobRun? LastRun);
    public sealed record EmailRow(DateTime CreatedAt, string Kind, string Recipient, string Subject, NotificationStatus Status, int Attempts, DateTime? SentAt, string? LastError);

    public IReadOnlyList<JobSummary> Jobs { get; private set; } = [];
    public IReadOnlyList<JobRun> Runs { get; private set; } = [];
    public IReadOnlyDictionary<NotificationStatus, int> EmailCounts { get; private set; } = new Dictionary<NotificationStatus, int>();
    public IReadOnlyList<EmailRow> Emails { get; private set; } = [];
    public string TimeZoneId { get; private set; } = "";

    public async Task OnGetAsync(CancellationToken ct)
    {
        var settings = await db.Tenants.Select(t => new { t.TimeZoneId, t.NightlyHour }).SingleAsync(ct);
        TimeZoneId = settings.TimeZoneId;
        Runs = await db.JobRuns.AsNoTracking().OrderByDescending(r => r.StartedAt).Take(50).ToListAsync(ct);
        var names = TenantJobCatalog.All.Select(j => j.Name).ToList();
        var lastRuns = await db.JobRuns.AsNoTracking()
            .Where(r => names.Contains(r.JobName))
            .GroupBy(r => r.JobName)
            .Select(g => g.OrderByDescending(r => r.StartedAt).First())
            .ToListAsync(ct);
        Jobs = TenantJobCatalog.All.Select(j => new JobSummary(j, j.LocalHour(settings.NightlyHour), lastRuns.FirstOrDefault(r => r.JobName == j.Name))).ToList();
        EmailCounts = await db.Notifications.GroupBy(n => n.Status).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        Emails = await db.Notifications.AsNoTracking().OrderByDescending(n => n.CreatedAt).Take(25)
            .Select(n => new EmailRow(n.CreatedAt, n.Kind, n.RecipientEmail, n.Subject, n.Status, n.Attempts, n.SentAt, n.LastError))
            .ToListAsync(ct);
    }

    public IActionResult OnPostRun(string job)
    {
        if (TenantJobCatalog.Find(job) is not { } definition)
            return NotFound();
        var tenantId = tenant.TenantId!.Value;
        var by = me.Email;
        jobs.Enqueue<TenantJobRunner>(r => r.RunAsync(definition.Name, tenantId, by, CancellationToken.None));
        TempData["Message"] = $"{definition.Name} will run in a moment; refresh to see its result.";
        return RedirectToPage();
    }

}
