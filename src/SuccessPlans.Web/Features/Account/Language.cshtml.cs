using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SuccessPlans.Features.Users;
using SuccessPlans.Web.Hosting;

namespace SuccessPlans.Web.Features.Account;

/// <summary>
/// The footer's language switch: a cookie for anyone, and for a signed-in user their stored choice too (so it follows
/// them to other devices). An unknown language or a foreign return address changes nothing.
/// </summary>
public class LanguageModel(AppDbContext db, CurrentUser me, SignInManager<AppUser> signIn) : PageModel
{
    public IActionResult OnGet() => RedirectToPage("/Index");

    public async Task<IActionResult> OnPostAsync(string? language, string? returnUrl, CancellationToken ct)
    {
        var back = Url.IsLocalUrl(returnUrl) ? returnUrl : "/";
        if (SuccessPlans.Languages.For(language) is not { } culture) return LocalRedirect(back);
        UiCultures.Remember(Response, culture, Request.IsHttps);
        if (User.Identity?.IsAuthenticated == true && await db.Users.SingleOrDefaultAsync(u => u.Id == me.Id, ct) is { } user)
        {
            user.Language = culture.TwoLetterISOLanguageName;
            await db.SaveChangesAsync(ct);
            await signIn.RefreshSignInAsync(user);
        }
        return LocalRedirect(back);
    }
}
