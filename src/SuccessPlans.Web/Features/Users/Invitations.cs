using System.Net;
using Microsoft.AspNetCore.Identity;
using SuccessPlans.Features.Notifications;
using SuccessPlans.Features.Users;

namespace SuccessPlans.Web.Features.Users;

/// <summary>Creates a user without a password and writes their invitation email to the outbox, in one transaction.</summary>
public sealed class Invitations(UserManager<AppUser> users, Outbox outbox, AppDbContext db, TimeProvider time, PublicUrls urls, IServiceScopeFactory scopes)
{
    public sealed record Request(string Email, string DisplayName, UserRole Role, IReadOnlyList<int> SchoolIds, int? ProviderOrganizationId);

    /// <summary>Returns the errors to show, or the new user. Nothing is written when there are errors.</summary>
    public async Task<(AppUser? User, IReadOnlyList<string> Errors)> InviteAsync(Request request, string tenantName, CancellationToken ct)
    {
        if (await IsEmailTakenAsync(request.Email, ct))
            return (null, [TakenMessage]);

        // Joins the caller's transaction when there is one (creating a tenant and its first Admin); refused, it writes nothing.
        return await db.InTransactionAsync<(AppUser?, IReadOnlyList<string>)>(async ct =>
        {
            var user = new AppUser
            {
                UserName = request.Email.Trim(),
                Email = request.Email.Trim(),
                DisplayName = request.DisplayName.Trim(),
                Role = request.Role,
                ProviderOrganizationId = request.Role == UserRole.Provider ? request.ProviderOrganizationId : null,
                CreatedAt = time.GetUtcNow().UtcDateTime,
            };
            IdentityResult created;
            try { created = await users.CreateAsync(user); }
            catch (DbUpdateException)
            {
                // Lost a race for the same email; anything else (a transient error) goes up to be retried.
                if (await IsEmailTakenAsync(request.Email, ct)) return (null, [TakenMessage]);
                throw;
            }
            if (!created.Succeeded)
                return (null, created.Errors.Select(Describe).ToList());

            if (request.Role == UserRole.Coordinator)
                foreach (var schoolId in request.SchoolIds.Distinct())
                    db.CoordinatorSchools.Add(new CoordinatorSchool { UserId = user.Id, SchoolId = schoolId });
            await QueueInvitationAsync(user, tenantName);
            await db.SaveChangesAsync(ct);
            return (user, []);
        }, ct, commitWhen: r => r.Item1 is not null);
    }

    /// <summary>Adds the invitation email (with a fresh link) to the outbox; the caller saves.</summary>
    public async Task QueueInvitationAsync(AppUser user, string tenantName)
    {
        var code = await users.GeneratePasswordResetTokenAsync(user);
        var link = urls.AcceptInvitation(user.Id, code);
        // In the user's language when one is chosen (a re-sent invitation), else English.
        using var language = EmailLanguage.Use(user.Language);
        var role = Labels.Words(user.Role);
        var text = $"""
            {EmailLanguage.T("Hello {0},", user.DisplayName)}

            {EmailLanguage.T("You have been invited to SuccessPlans for {0} as {1}.", tenantName, role)}
            {EmailLanguage.T("Choose your password here (the link is valid for 7 days):")}

            {link}

            {EmailLanguage.T("If you did not expect this email, you can ignore it.")}
            """;
        var html = $"<p>{EmailLanguage.T("Hello {0},", WebUtility.HtmlEncode(user.DisplayName))}</p><p>{EmailLanguage.T("You have been invited to SuccessPlans for {0} as {1}.", $"<strong>{WebUtility.HtmlEncode(tenantName)}</strong>", WebUtility.HtmlEncode(role))}</p>" +
                   $"<p><a href=\"{WebUtility.HtmlEncode(link)}\">{EmailLanguage.T("Choose your password")}</a> {EmailLanguage.T("(the link is valid for 7 days).")}</p>" +
                   $"<p>{EmailLanguage.T("If you did not expect this email, you can ignore it.")}</p>";
        outbox.Enqueue("invitation", user.Email!, user.DisplayName, EmailLanguage.T("Your SuccessPlans invitation for {0}", tenantName), text, html, user.Id);
    }

    /// <summary>
    /// Emails are sign-in names across the platform, but a tenant's scope sees only its own users, so the
    /// check runs in a scope with no tenant.
    /// </summary>
    private async Task<bool> IsEmailTakenAsync(string email, CancellationToken ct)
    {
        var normalized = users.NormalizeEmail(email.Trim());
        await using var platform = scopes.CreateAsyncScope();
        return await platform.ServiceProvider.GetRequiredService<AppDbContext>().Users
            .AnyAsync(u => u.NormalizedEmail == normalized || u.NormalizedUserName == normalized, ct);
    }

    private const string TakenMessage = "This email address cannot be used for a new account. Use another address.";

    /// <summary>
    /// Emails are sign-in names across the platform; a taken one gets a message that does not say
    /// which partnership holds it.
    /// </summary>
    private static string Describe(IdentityError e) => e.Code is "DuplicateUserName" or "DuplicateEmail" ? TakenMessage : e.Description;
}
