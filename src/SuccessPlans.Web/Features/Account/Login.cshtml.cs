using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SuccessPlans.Features.Users;

namespace SuccessPlans.Web.Features.Account;

[AllowAnonymous]
[Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(SuccessPlans.Web.Hosting.RateLimits.SignIn)]
public class LoginModel(SignInManager<AppUser> signIn, UserManager<AppUser> users, IPasswordHasher<AppUser> hasher) : PageModel
{
    [BindProperty] public LoginInput Input { get; set; } = new();
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }

    public sealed class LoginInput
    {
        [Required, EmailAddress, Display(Name = "Email")] public string Email { get; set; } = "";
        [Required, DataType(DataType.Password), Display(Name = "Password")] public string Password { get; set; } = "";
    }

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
            return Page();

        var user = await users.FindByEmailAsync(Input.Email);
        if (user is { PasswordHash: not null })
        {
            var result = await signIn.PasswordSignInAsync(user, Input.Password, isPersistent: false, lockoutOnFailure: true);
            if (result.Succeeded)
                return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/");
            // The password was right; the session starts only after the second factor.
            if (result.RequiresTwoFactor)
                return RedirectToPage("/Account/LoginWith2fa", new { ReturnUrl = Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : null });
            // A locked or deactivated account says so only to whoever knows its password (the lockout check skipped
            // the hashing, so it is done here); anyone else gets the answer an unknown email gets.
            if (result.IsLockedOut && await users.CheckPasswordAsync(user, Input.Password))
            {
                ModelState.AddModelError("", "This account is locked after too many failed attempts, or was deactivated. Try again in 15 minutes or ask your administrator.");
                return Page();
            }
        }
        else
        {
            // An unknown email, or an invited user with no password yet: the same hashing work as a real check, so the
            // time the answer takes does not tell whether the account exists.
            hasher.VerifyHashedPassword(user ?? StandIn, StandInHash(), Input.Password);
        }
        // Same answer for an unknown email and a wrong password: the form does not reveal who has an account.
        ModelState.AddModelError("", "The email or password is not right.");
        return Page();
    }

    private static readonly AppUser StandIn = new() { DisplayName = "" };
    private static string? _standInHash;

    /// <summary>A hash made once with the app's own hasher, so verifying against it costs what a real user's does.</summary>
    private string StandInHash() => _standInHash ??= hasher.HashPassword(StandIn, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
}
