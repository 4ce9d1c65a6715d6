using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using SuccessPlans.Features.Users;
using SuccessPlans.Web.Hosting;

namespace SuccessPlans.Web.Features.Account;

/// <summary>The second step with one of the recovery codes shown at enrolment; each code works once.</summary>
[AllowAnonymous]
[EnableRateLimiting(RateLimits.SignIn)]
public class LoginWithRecoveryCodeModel(SignInManager<AppUser> signIn) : PageModel
{
    [BindProperty, Required, StringLength(32), Display(Name = "Recovery code")] public string Code { get; set; } = "";
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }

    public async Task<IActionResult> OnGetAsync() =>
        await signIn.GetTwoFactorAuthenticationUserAsync() is null ? RedirectToPage("/Account/Login") : Page();

    public async Task<IActionResult> OnPostAsync()
    {
        if (await signIn.GetTwoFactorAuthenticationUserAsync() is null)
            return RedirectToPage("/Account/Login");
        if (!ModelState.IsValid)
            return Page();
        var result = await signIn.TwoFactorRecoveryCodeSignInAsync(Code.Replace(" ", "", StringComparison.Ordinal));
        if (result.Succeeded)
            return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/");
        ModelState.AddModelError("", result.IsLockedOut
            ? "This account is locked after too many failed attempts. Try again in 15 minutes or ask your administrator."
            : "That recovery code is not right, or was already used.");
        return Page();
    }
}
