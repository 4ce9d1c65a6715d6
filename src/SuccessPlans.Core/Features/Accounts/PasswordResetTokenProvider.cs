using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using SuccessPlans.Features.Users;

namespace SuccessPlans.Features.Accounts;

/// <summary>
/// Password-reset links ("forgot password"): valid for <see cref="Lifetime"/> and only until the password changes (the
/// security stamp is in the token). Invitations keep Identity's own provider and their week. Made on the app's
/// TimeProvider (Identity's provider reads the system clock), so expiry is what the tests fake.
/// </summary>
public sealed class PasswordResetTokenProvider(IDataProtectionProvider protection, TimeProvider time) : IUserTwoFactorTokenProvider<AppUser>
{
    public const string Name = "PasswordReset";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(2);

    private readonly IDataProtector _protector = protection.CreateProtector("SuccessPlans.PasswordReset.v1");

    public async Task<string> GenerateAsync(string purpose, UserManager<AppUser> manager, AppUser user)
    {
        using var ms = new MemoryStream();
        await using (var w = new BinaryWriter(ms, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            w.Write(time.GetUtcNow().UtcTicks);
            w.Write(await manager.GetUserIdAsync(user) ?? ""); // none for the stand-in of an unknown email
            w.Write(purpose);
            w.Write(manager.SupportsUserSecurityStamp ? await manager.GetSecurityStampAsync(user) ?? "" : "");
        }
        return Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlEncode(_protector.Protect(ms.ToArray()));
    }

    public async Task<bool> ValidateAsync(string purpose, string token, UserManager<AppUser> manager, AppUser user)
    {
        try
        {
            var data = _protector.Unprotect(Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlDecode(token));
            using var r = new BinaryReader(new MemoryStream(data), System.Text.Encoding.UTF8);
            var created = new DateTimeOffset(r.ReadInt64(), TimeSpan.Zero);
            var userId = r.ReadString();
            var tokenPurpose = r.ReadString();
            var stamp = r.ReadString();
            var now = time.GetUtcNow();
            return now < created + Lifetime
                   && userId.Length > 0 && userId == await manager.GetUserIdAsync(user)
                   && tokenPurpose == purpose
                   && stamp == (manager.SupportsUserSecurityStamp ? await manager.GetSecurityStampAsync(user) ?? "" : "");
        }
        // A link cut short, edited or made with another key is simply not valid.
        catch (Exception e) when (e is FormatException or System.Security.Cryptography.CryptographicException or EndOfStreamException or IOException) { return false; }
    }

    public Task<bool> CanGenerateTwoFactorTokenAsync(UserManager<AppUser> manager, AppUser user) => Task.FromResult(false);
}
