using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Users;
using SuccessPlans.Web.Features.Account;

namespace SuccessPlans.Web.Features.Provider;

/// <summary>
/// "Authorization: Bearer sp_{tenant}_{prefix}_{secret}" (or X-Api-Key) for a provider organization's own
/// systems. The key is checked in a scope of its tenant; the request then carries that tenant and
/// organization as claims, like a signed-in provider user. Revocation is checked on every request.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    IServiceScopeFactory scopes, TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string OrganizationClaim = "successplans:organization";
    public const string HeaderName = "X-Api-Key";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        var presented = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : Request.Headers[HeaderName].ToString();
        if (string.IsNullOrEmpty(presented))
            return AuthenticateResult.NoResult();
        if (!ApiKey.TryParse(presented, out var tenantId, out var prefix, out var secret))
            return AuthenticateResult.Fail("Malformed API key.");

        await using var scope = scopes.CreateTenantScope(tenantId);
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var key = await db.ApiKeys.SingleOrDefaultAsync(k => k.Prefix == prefix, Context.RequestAborted);
        if (key is null || key.RevokedAt is not null || !key.Matches(secret))
            return AuthenticateResult.Fail("Unknown or revoked API key.");

        // Last use, at most once a minute, so a busy integration does not write on every call.
        var now = time.GetUtcNow().UtcDateTime;
        if (key.LastUsedAt is null || now - key.LastUsedAt > TimeSpan.FromMinutes(1))
        {
            key.LastUsedAt = now;
            await db.SaveChangesAsync(Context.RequestAborted);
        }

        var identity = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.Name, $"api-key:{key.Prefix}"),
            new Claim(ClaimTypes.Role, Roles.Provider),
            new Claim(AppClaims.TenantId, tenantId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new Claim(AppClaims.DisplayName, $"{key.Name} (API key)"),
            new Claim(OrganizationClaim, key.OrganizationId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        return Task.CompletedTask;
    }
}
