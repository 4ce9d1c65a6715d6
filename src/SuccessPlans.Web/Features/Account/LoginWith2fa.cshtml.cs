using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using SuccessPlans.Features.Users;
using SuccessPlans.Web.Hosting;

namespace SuccessPlans.Web.Features.Account;

/// <summary>
/// The second step of signing in: the code of the authenticator app (or, on the next page, a recovery code). Only
/// reachable after a right password, which leaves Identity's short-lived two-factor cookie and no session.
/// </summary>
[AllowAnonymous]
[EnableRateLimiting(RateLimits.SignIn)]
public class LoginWith2faModel(SignInManager<AppUser> signIn) : PageModel
{
    public const string WrongCodeMessage = "That code is not right. Enter the code your authenticator app shows now.";

    [BindProperty, Required, StringLength(12), Display(Name = "Authenticator code")] public string Code { get; set; } = "";
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }

    public async Task<IActionResult> OnGetAsync() =>
        await signIn.GetTwoFactorAuthenticationUserAsync() is null ? RedirectToPage("/Account/Login") : Page();

    public async Task<IActionResult> OnPostAsync()
    {
        if (await signIn.GetTwoFactorAuthenticationUserAsync() is null)
            return RedirectToPage("/Account/Login");
        if (!ModelState.IsValid)
            return Page();
        var code = Code.Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        var result = await signIn.TwoFactorAuthenticatorSignInAsync(code, isPersistent: false, rememberClient: false);
        if (result.Succeeded)
            return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/");
        ModelState.AddModelError("", result.IsLockedOut
            ? "This account is locked after too many failed attempts. Try again in 15 minutes or ask your administrator."
            : WrongCodeMessage);
        return Page();
    }
}
