using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SuccessPlans.Features.Jobs;
using SuccessPlans.Features.Notifications;
using SuccessPlans.Features.Students;
using SuccessPlans.Features.Users;

namespace SuccessPlans.Web.Features.Home;

[Authorize(Policy = Roles.Admin)]
public class AdminModel(AppDbContext db) : PageModel
{
    public string TenantName { get; private set; } = "";
    public int Schools { get; private set; }
    public int ActiveStudents { get; private set; }
    public int Organizations { get; private set; }
    public int Services { get; private set; }
    public int Users { get; private set; }
    public int FailedEmails { get; private set; }
    public JobRun? LastFailedRun { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        TenantName = await db.Tenants.Select(t => t.Name).SingleAsync(ct);
        Schools = await db.Schools.CountAsync(ct);
        ActiveStudents = await db.Students.CountAsync(s => s.Status == StudentStatus.Active, ct);
        Organizations = await db.ProviderOrganizations.CountAsync(ct);
        Services = await db.Services.CountAsync(ct);
        Users = await db.Users.CountAsync(ct);
        FailedEmails = await db.Notifications.CountAsync(n => n.Status == NotificationStatus.Failed, ct);
        LastFailedRun = await db.JobRuns.Where(r => r.Status == JobRunStatus.Failed).OrderByDescending(r => r.StartedAt).FirstOrDefaultAsync(ct);
    }
}
