using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using SuccessPlans.Features.Accounts;
using SuccessPlans.Web.Hosting;

namespace SuccessPlans.Web.Features.Account;

/// <summary>Asks for a reset link. The answer is the same whether or not the email has an account.</summary>
[AllowAnonymous]
[EnableRateLimiting(RateLimits.PasswordReset)]
public class ForgotPasswordModel(PasswordResetQueue resets) : PageModel
{
    public const string SentMessage = "If an account exists for that email, we sent a link to choose a new password. It works once, for 2 hours.";

    [BindProperty, Required, EmailAddress, StringLength(256), Display(Name = "Email")] public string Email { get; set; } = "";
    public bool Sent { get; private set; }

    public void OnGet() { }

    public IActionResult OnPost()
    {
        if (!ModelState.IsValid)
            return Page();
        // Handled after this answer, so its time says nothing of whether the email has an account.
        resets.Enqueue(Email);
        Sent = true;
        return Page();
    }
}
