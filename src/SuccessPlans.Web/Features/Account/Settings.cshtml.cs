using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using SuccessPlans.Features.Users;
using SuccessPlans.Web.Hosting;

namespace SuccessPlans.Web.Features.Account;

/// <summary>The user's own settings: their language, and whether referral updates also come by email.</summary>
[Authorize(Roles = $"{Roles.Admin},{Roles.Coordinator},{Roles.Provider}")]
public class SettingsModel(AppDbContext db, CurrentUser me, SignInManager<AppUser> signIn, IStringLocalizer<SettingsModel> L) : PageModel
{
    [BindProperty] public bool EmailReferralUpdates { get; set; }

    /// <summary>"en", "es", or empty for the browser's language.</summary>
    [BindProperty] public string? Language { get; set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == me.Id, ct);
        if (user is null) return NotFound();
        EmailReferralUpdates = user.EmailReferralUpdates;
        Language = UiCultures.Normalize(user.Language) ?? "";
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var language = UiCultures.Normalize(Language);
        if (!string.IsNullOrEmpty(Language) && language is null)
            ModelState.AddModelError(nameof(Language), L["Choose a language from the list."]);
        if (!ModelState.IsValid) return Page();
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == me.Id, ct);
        if (user is null) return NotFound();
        user.EmailReferralUpdates = EmailReferralUpdates;
        user.Language = language;
        await db.SaveChangesAsync(ct);
        // A new sign-in cookie carries the new language at once; the culture cookie follows it.
        await signIn.RefreshSignInAsync(user);
        if (language is null) UiCultures.Forget(Response);
        // The confirmation speaks the language just chosen.
        if (SuccessPlans.Languages.For(language) is { } chosen) System.Globalization.CultureInfo.CurrentUICulture = chosen;
        TempData["Message"] = L["Settings saved."].Value;
        return RedirectToPage();
    }
}
