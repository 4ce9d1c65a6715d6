using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SuccessPlans.Features.Users;

namespace SuccessPlans.Web.Features.Account;

[AllowAnonymous]
public class LoginModel(SignInManager<AppUser> signIn, UserManager<AppUser> users) : PageModel
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
        if (user is not null)
        {
            var result = await signIn.PasswordSignInAsync(user, Input.Password, isPersistent: false, lockoutOnFailure: true);
            if (result.Succeeded)
                return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/");
            if (result.IsLockedOut)
            {
                ModelState.AddModelError("", "This account is locked after too many failed attempts, or was deactivated. Try again in 15 minutes or ask your administrator.");
                return Page();
            }
        }
        // Same answer for an unknown email and a wrong password: the form does not reveal who has an account.
        ModelState.AddModelError("", "The email or password is not right.");
        return Page();
    }
}
