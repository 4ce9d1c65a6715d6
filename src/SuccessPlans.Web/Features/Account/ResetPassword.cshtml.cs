using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using SuccessPlans.Features.Accounts;
using SuccessPlans.Web.Hosting;

namespace SuccessPlans.Web.Features.Account;

/// <summary>
/// Chooses a new password through the emailed link. Until the link is valid the page shows nothing about the user:
/// unknown user, wrong, expired or used code all get the same page.
/// </summary>
[AllowAnonymous]
[EnableRateLimiting(RateLimits.PasswordReset)]
public class ResetPasswordModel(PasswordResetService resets) : PageModel
{
    public const string InvalidLinkMessage = "This link is not valid, has expired or was already used. Ask for a new one under Forgot password.";

    [BindProperty(SupportsGet = true, Name = "user")] public int? UserId { get; set; }
    [BindProperty(SupportsGet = true)] public string? Code { get; set; }
    [BindProperty] public AcceptInviteModel.PasswordInput Input { get; set; } = new();
    /// <summary>Set only once the link is known to be valid.</summary>
    public string? Email { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        ModelState.Clear();
        var user = await resets.FindByLinkAsync(UserId, Code);
        if (user is null) return InvalidLink();
        Email = user.Email;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var user = await resets.FindByLinkAsync(UserId, Code);
        if (user is null) return InvalidLink();
        Email = user.Email;
        if (!ModelState.IsValid) return Page();
        var result = await resets.ResetAsync(UserId, Code, Input.Password);
        if (result.InvalidLink) return InvalidLink();
        foreach (var error in result.Errors)
            ModelState.AddModelError("Input.Password", error);
        if (!result.Succeeded) return Page();
        TempData["Message"] = "Your password is changed. Sign in with it.";
        return RedirectToPage("/Account/Login");
    }

    private PageResult InvalidLink()
    {
        Email = null;
        ModelState.Clear();
        ModelState.AddModelError("", InvalidLinkMessage);
        return Page();
    }
}
