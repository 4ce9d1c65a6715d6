using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SuccessPlans.Features.Users;

namespace SuccessPlans.Web.Features.Account;

/// <summary>An invited user chooses a password through the link in their invitation email.</summary>
[AllowAnonymous]
public class AcceptInviteModel(UserManager<AppUser> users, SignInManager<AppUser> signIn, TimeProvider time) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "user")] public int UserId { get; set; }
    [BindProperty(SupportsGet = true)] public string Code { get; set; } = "";
    [BindProperty] public PasswordInput Input { get; set; } = new();
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
        var user = await users.FindByIdAsync(UserId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (user is null || string.IsNullOrEmpty(Code))
            return InvalidLink();
        Email = user.Email;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var user = await users.FindByIdAsync(UserId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (user is null)
            return InvalidLink();
        Email = user.Email;
        if (!ModelState.IsValid)
            return Page();

        var result = await users.ResetPasswordAsync(user, Code, Input.Password);
        if (!result.Succeeded)
        {
            foreach (var e in result.Errors)
                ModelState.AddModelError(e.Code == "InvalidToken" ? "" : "Input.Password",
                    e.Code == "InvalidToken" ? "This invitation link has expired or was already used. Ask your administrator for a new one." : e.Description);
            return Page();
        }
        user.EmailConfirmed = true;
        user.ActivatedAt ??= time.GetUtcNow().UtcDateTime;
        await users.UpdateAsync(user);
        await signIn.SignInAsync(user, isPersistent: false);
        return LocalRedirect("/");
    }

    private IActionResult InvalidLink()
    {
        ModelState.AddModelError("", "This invitation link is not valid.");
        return Page();
    }
}
