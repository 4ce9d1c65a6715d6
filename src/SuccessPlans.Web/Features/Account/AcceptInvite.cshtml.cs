using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SuccessPlans.Features.Users;

namespace SuccessPlans.Web.Features.Account;

/// <summary>
/// An invited user chooses a password through the link in their invitation email. Until the link's token is
/// checked, the page shows nothing about the user: an unknown user, a wrong code, an expired or a used link all
/// get the same page, so the page cannot be used to learn who has an account.
/// </summary>
[AllowAnonymous]
[Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(SuccessPlans.Web.Hosting.RateLimits.Invitation)]
public class AcceptInviteModel(UserManager<AppUser> users, SignInManager<AppUser> signIn, TimeProvider time) : PageModel
{
    public const string InvalidLinkMessage = "This invitation link is not valid, has expired or was already used. Ask your administrator for a new one.";

    [BindProperty(SupportsGet = true, Name = "user")] public int? UserId { get; set; }
    [BindProperty(SupportsGet = true)] public string? Code { get; set; }
    [BindProperty] public PasswordInput Input { get; set; } = new();
    /// <summary>Set only once the token is known to be valid for this user.</summary>
    public string? Email { get; private set; }

    public sealed class PasswordInput
    {
        [Required, DataType(DataType.Password), Display(Name = "New password")]
        public string Password { get; set; } = "";

        [Required, DataType(DataType.Password), Display(Name = "Repeat the password"), Compare(nameof(Password), ErrorMessage = "The two passwords differ.")]
        public string Confirm { get; set; } = "";
    }

    public async Task<IActionResult> OnGetAsync()
    {
        ModelState.Clear(); // the password fields are not posted yet
        return await FindInvitedAsync() is null ? InvalidLink() : Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var user = await FindInvitedAsync();
        if (user is null)
            return InvalidLink();
        if (!ModelState.IsValid)
            return Page();

        var result = await users.ResetPasswordAsync(user, Code!, Input.Password);
        if (!result.Succeeded)
        {
            if (result.Errors.Any(e => e.Code == "InvalidToken"))
                return InvalidLink();
            foreach (var e in result.Errors)
                ModelState.AddModelError("Input.Password", e.Description);
            return Page();
        }
        user.EmailConfirmed = true;
        user.ActivatedAt ??= time.GetUtcNow().UtcDateTime;
        await users.UpdateAsync(user);
        await signIn.SignInAsync(user, isPersistent: false);
        return LocalRedirect("/");
    }

    /// <summary>
    /// The user the link is for, when its token is valid for them. An unknown user's link is checked against a
    /// stand-in, so it costs the same token work as a wrong code for a real user.
    /// </summary>
    private async Task<AppUser?> FindInvitedAsync()
    {
        var user = UserId is { } id ? await users.FindByIdAsync(id.ToString(System.Globalization.CultureInfo.InvariantCulture)) : null;
        var valid = await users.VerifyUserTokenAsync(user ?? new AppUser { DisplayName = "", SecurityStamp = "" },
            users.Options.Tokens.PasswordResetTokenProvider, UserManager<AppUser>.ResetPasswordTokenPurpose, Code ?? "");
        if (user is null || !valid)
            return null;
        Email = user.Email;
        return user;
    }

    private PageResult InvalidLink()
    {
        Email = null;
        ModelState.Clear();
        ModelState.AddModelError("", InvalidLinkMessage);
        return Page();
    }
}
