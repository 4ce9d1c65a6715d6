using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SuccessPlans.Features.Users;

namespace SuccessPlans.Web.Features.Account;

/// <summary>The user's own settings: whether referral updates also come by email.</summary>
[Authorize(Roles = $"{Roles.Admin},{Roles.Coordinator},{Roles.Provider}")]
public class SettingsModel(AppDbContext db, CurrentUser me) : PageModel
{
    [BindProperty] public bool EmailReferralUpdates { get; set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == me.Id, ct);
        if (user is null) return NotFound();
        EmailReferralUpdates = user.EmailReferralUpdates;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!ModelState.IsValid) return Page();
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == me.Id, ct);
        if (user is null) return NotFound();
        user.EmailReferralUpdates = EmailReferralUpdates;
        await db.SaveChangesAsync(ct);
        TempData["Message"] = "Settings saved.";
        return RedirectToPage();
    }
}
