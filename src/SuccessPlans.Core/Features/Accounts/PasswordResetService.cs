using System.Net;
using Microsoft.AspNetCore.Identity;
using SuccessPlans.Data;
using SuccessPlans.Features.Notifications;
using SuccessPlans.Features.Users;
using Microsoft.Extensions.DependencyInjection;
using SuccessPlans.Tenancy;

namespace SuccessPlans.Features.Accounts;

/// <summary>What a reset did: the link was not valid, the password was refused (errors), or it was set.</summary>
public sealed record PasswordResetResult(bool InvalidLink, IReadOnlyList<string> Errors)
{
    public bool Succeeded => !InvalidLink && Errors.Count == 0;
}

/// <summary>
/// "Forgot password": a one-time link valid for two hours, sent through the outbox. Whether the email belongs to anyone
/// is never told: the page answers the same before this runs (PasswordResetQueue), and the work is about the same, only
/// the outbox row differs.
/// </summary>
public sealed class PasswordResetService(UserManager<AppUser> users, IServiceScopeFactory scopes, AppDbContext db, PublicUrls urls)
{
    public const string Purpose = "ForgotPassword";

    /// <summary>Queues a reset link for an active user with a password; does the same token work for anyone else.</summary>
    public async Task RequestAsync(string email, CancellationToken ct = default)
    {
        var user = await users.FindByEmailAsync(email.Trim());
        // Invited users (no password yet) finish their invitation instead; deactivated users get nothing. Mail is a tenant's
        // (the outbox is tenant-owned), so operators, who have none, reset with the create-operator command instead.
        var eligible = user is { PasswordHash: not null, ActivatedAt: not null, TenantId: not null } && !UserScopeService.IsDeactivated(user);
        var code = await users.GenerateUserTokenAsync(eligible ? user! : StandIn, PasswordResetTokenProvider.Name, Purpose);
        if (!eligible)
        {
            // A read of about the cost of the write below, so the answer takes as long either way.
            await db.Users.CountAsync(u => u.Email == email && u.Id > 0, ct);
            return;
        }
        var link = urls.For($"/Account/ResetPassword?user={user!.Id}&code={Uri.EscapeDataString(code)}");
        // In the user's language (My settings), else English.
        using var language = EmailLanguage.Use(user.Language);
        var text = $"""
            {EmailLanguage.T("Hello {0},", user.DisplayName)}

            {EmailLanguage.T("Someone (we hope you) asked to reset your SuccessPlans password.")} {EmailLanguage.T("Choose a new one here (the link works once, for 2 hours):")}

            {link}

            {EmailLanguage.T("If you did not ask, ignore this email: your password stays as it is.")}
            """;
        var html = $"<p>{EmailLanguage.T("Hello {0},", WebUtility.HtmlEncode(user.DisplayName))}</p><p>{EmailLanguage.T("Someone (we hope you) asked to reset your SuccessPlans password.")}</p>" +
                   $"<p><a href=\"{WebUtility.HtmlEncode(link)}\">{EmailLanguage.T("Choose a new password")}</a> {EmailLanguage.T("(the link works once, for 2 hours).")}</p>" +
                   $"<p>{EmailLanguage.T("If you did not ask, ignore this email: your password stays as it is.")}</p>";
        var subject = EmailLanguage.T("Reset your SuccessPlans password");
        // The request has no tenant in scope (nobody is signed in): the email is written in the user's tenant.
        await using var scope = scopes.CreateTenantScope(user.TenantId!.Value);
        scope.ServiceProvider.GetRequiredService<Outbox>().Enqueue("password-reset", user.Email!, user.DisplayName, subject, text, html, user.Id);
        await scope.ServiceProvider.GetRequiredService<AppDbContext>().SaveChangesAsync(ct);
    }

    /// <summary>The user the link is for, when it is valid; an unknown user's link costs the same check.</summary>
    public async Task<AppUser?> FindByLinkAsync(int? userId, string? code)
    {
        var user = userId is { } id ? await users.FindByIdAsync(id.ToString(System.Globalization.CultureInfo.InvariantCulture)) : null;
        var valid = await users.VerifyUserTokenAsync(user ?? StandIn, PasswordResetTokenProvider.Name, Purpose, code ?? "");
        return user is not null && valid && user.PasswordHash is not null ? user : null;
    }

    /// <summary>Sets the new password when the link is valid; changing it changes the security stamp, so the link is spent.</summary>
    public async Task<PasswordResetResult> ResetAsync(int? userId, string? code, string password)
    {
        var user = await FindByLinkAsync(userId, code);
        if (user is null)
            return new PasswordResetResult(true, []);
        // The two-hour link was checked above; Identity's reset then runs with a token of its own (the invitation provider's),
        // so the validators, the new hash and the new security stamp (which spends the link) are one update.
        var result = await users.ResetPasswordAsync(user, await users.GeneratePasswordResetTokenAsync(user), password);
        if (!result.Succeeded)
            return new PasswordResetResult(false, result.Errors.Select(e => e.Description).ToList());
        // Lockout stays as it is: a locked account waits its 15 minutes, a deactivated one stays off.
        return new PasswordResetResult(false, []);
    }

    private static readonly AppUser StandIn = new() { DisplayName = "", SecurityStamp = "" };
}
