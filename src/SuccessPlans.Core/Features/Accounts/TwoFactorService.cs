using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Identity;
using SuccessPlans.Data;
using SuccessPlans.Features.Users;

namespace SuccessPlans.Features.Accounts;

/// <summary>What a two-factor action did: an error to show, or the recovery codes to show once.</summary>
public sealed record TwoFactorResult(string? Error, IReadOnlyList<string> RecoveryCodes)
{
    public bool Succeeded => Error is null;
    public static TwoFactorResult Fail(string error) => new(error, []);
}

/// <summary>The shared key an authenticator app needs, as text and as an otpauth:// address.</summary>
public sealed record AuthenticatorSetup(string SharedKey, string OtpAuthUri);

/// <summary>
/// The rules of the second factor (TOTP with recovery codes, Identity's own): who must have it (Admins, operators,
/// and everyone of a tenant that requires it), enrolment only with a code the app has just shown, no switching it
/// off while it is required.
/// </summary>
public sealed class TwoFactorService(UserManager<AppUser> users, AppDbContext db)
{
    public const int RecoveryCodeCount = 10;
    public const string Issuer = "SuccessPlans";

    /// <summary>Admins and operators always; everyone else when their tenant says so.</summary>
    public async Task<bool> IsRequiredAsync(AppUser user, CancellationToken ct = default)
    {
        if (user.Role is UserRole.Admin or UserRole.Operator)
            return true;
        return user.TenantId is { } tenantId && await db.Tenants.AnyAsync(t => t.Id == tenantId && t.RequireTwoFactor, ct);
    }

    /// <summary>The key to enter in an authenticator app; made on first need and kept until enrolment succeeds.</summary>
    public async Task<AuthenticatorSetup> SetupAsync(AppUser user)
    {
        var key = await users.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key))
        {
            await users.ResetAuthenticatorKeyAsync(user);
            key = (await users.GetAuthenticatorKeyAsync(user))!;
        }
        var label = UrlEncoder.Default.Encode($"{Issuer}:{user.Email}");
        return new AuthenticatorSetup(key, $"otpauth://totp/{label}?secret={key}&issuer={UrlEncoder.Default.Encode(Issuer)}&digits=6");
    }

    /// <summary>Turns the second factor on when the code matches the key shown; returns the first recovery codes.</summary>
    public async Task<TwoFactorResult> EnableAsync(AppUser user, string? code)
    {
        var cleaned = (code ?? "").Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        if (cleaned.Length is < 6 or > 8 || string.IsNullOrEmpty(await users.GetAuthenticatorKeyAsync(user))
            || !await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, cleaned))
            return TwoFactorResult.Fail("That code is not right. Enter the 6-digit code your authenticator app shows now.");
        await users.SetTwoFactorEnabledAsync(user, true);
        var codes = await users.GenerateNewTwoFactorRecoveryCodesAsync(user, RecoveryCodeCount);
        return new TwoFactorResult(null, codes?.ToList() ?? []);
    }

    /// <summary>New recovery codes; the old ones stop working.</summary>
    public async Task<TwoFactorResult> RegenerateRecoveryCodesAsync(AppUser user)
    {
        if (!user.TwoFactorEnabled)
            return TwoFactorResult.Fail("Turn on two-factor authentication first.");
        var codes = await users.GenerateNewTwoFactorRecoveryCodesAsync(user, RecoveryCodeCount);
        return new TwoFactorResult(null, codes?.ToList() ?? []);
    }

    /// <summary>Turns the second factor off and forgets the key, unless the user's role or tenant requires it.</summary>
    public async Task<TwoFactorResult> DisableAsync(AppUser user, CancellationToken ct = default)
    {
        if (await IsRequiredAsync(user, ct))
            return TwoFactorResult.Fail("Two-factor authentication is required for your account and cannot be turned off.");
        await users.SetTwoFactorEnabledAsync(user, false);
        await users.ResetAuthenticatorKeyAsync(user);
        return new TwoFactorResult(null, []);
    }
}
