using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SuccessPlans.Features.Accounts;
using SuccessPlans.Features.Users;

namespace SuccessPlans.Web.Features.Account;

/// <summary>
/// Two-factor authentication of the signed-in user: set up an authenticator app (shared key and otpauth:// address,
/// then a code), recovery codes shown once, new codes, turning it off when not required. A user who must have it and
/// has not set it up is sent here after the password and reaches nothing else (UseTwoFactorEnrollment).
/// </summary>
[Authorize]
public class TwoFactorModel(UserManager<AppUser> users, SignInManager<AppUser> signIn, TwoFactorService twoFactor) : PageModel
{
    public bool Enabled { get; private set; }
    public bool Required { get; private set; }
    public int RecoveryCodesLeft { get; private set; }
    public AuthenticatorSetup? Setup { get; private set; }
    /// <summary>Shown once, right after they are made.</summary>
    public IReadOnlyList<string> RecoveryCodes { get; private set; } = [];

    [BindProperty, StringLength(12), Display(Name = "Code from the app")] public string? Code { get; set; }

    public async Task<IActionResult> OnGetAsync() => await LoadAsync() is null ? Challenge() : Page();

    public async Task<IActionResult> OnPostEnableAsync()
    {
        if (await LoadAsync() is not { } user) return Challenge();
        if (!ModelState.IsValid) return Page();
        return await ShowAsync(user, await twoFactor.EnableAsync(user, Code));
    }

    public async Task<IActionResult> OnPostRegenerateAsync()
    {
        if (await LoadAsync() is not { } user) return Challenge();
        return await ShowAsync(user, await twoFactor.RegenerateRecoveryCodesAsync(user));
    }

    public async Task<IActionResult> OnPostDisableAsync()
    {
        if (await LoadAsync() is not { } user) return Challenge();
        var result = await twoFactor.DisableAsync(user);
        if (!result.Succeeded)
        {
            ModelState.AddModelError("", result.Error!);
            return Page();
        }
        await signIn.RefreshSignInAsync(user);
        TempData["Message"] = "Two-factor authentication is off.";
        return RedirectToPage();
    }

    private async Task<IActionResult> ShowAsync(AppUser user, TwoFactorResult result)
    {
        if (!result.Succeeded)
        {
            ModelState.AddModelError(nameof(Code), result.Error!);
            return Page();
        }
        // The security stamp changed: the session is renewed, and without the "must enrol" mark.
        await signIn.RefreshSignInAsync(user);
        await LoadAsync();
        RecoveryCodes = result.RecoveryCodes;
        return Page();
    }

    private async Task<AppUser?> LoadAsync()
    {
        var user = await users.GetUserAsync(User);
        if (user is null) return null;
        Enabled = user.TwoFactorEnabled;
        Required = await twoFactor.IsRequiredAsync(user);
        RecoveryCodesLeft = Enabled ? await users.CountRecoveryCodesAsync(user) : 0;
        Setup = Enabled ? null : await twoFactor.SetupAsync(user);
        return user;
    }
}
