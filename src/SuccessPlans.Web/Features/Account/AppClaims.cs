using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using SuccessPlans.Features.Users;

namespace SuccessPlans.Web.Features.Account;

public static class AppClaims
{
    public const string TenantId = "successplans:tenant";
    public const string DisplayName = "successplans:name";

    /// <summary>Signed in with a password but must still enrol a second factor: only the enrolment page opens.</summary>
    public const string MustEnrollTwoFactor = "successplans:2fa-enroll";
}

/// <summary>Puts the user's tenant and role in the sign-in cookie; the tenant claim is what scopes every request.</summary>
public sealed class AppClaimsPrincipalFactory(UserManager<AppUser> users, IOptions<IdentityOptions> options, SuccessPlans.Features.Accounts.TwoFactorService twoFactor)
    : UserClaimsPrincipalFactory<AppUser>(users, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(AppUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        identity.AddClaim(new Claim(Options.ClaimsIdentity.RoleClaimType, user.Role.ToString()));
        identity.AddClaim(new Claim(AppClaims.DisplayName, user.DisplayName));
        // The user's language travels in the cookie: no database read per request, and a new choice on another
        // device arrives with the next security-stamp check.
        if (SuccessPlans.Web.Hosting.UiCultures.Normalize(user.Language) is { } language)
            identity.AddClaim(new Claim(SuccessPlans.Web.Hosting.UiCultures.LanguageClaim, language));
        if (user.TenantId is { } tenantId)
            identity.AddClaim(new Claim(AppClaims.TenantId, tenantId.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        // Made again at every sign-in and security-stamp check (a minute), so a tenant that starts requiring it reaches open sessions.
        if (!user.TwoFactorEnabled && await twoFactor.IsRequiredAsync(user))
            identity.AddClaim(new Claim(AppClaims.MustEnrollTwoFactor, "true"));
        return identity;
    }
}

/// <summary>
/// The signed-in user of this request and their scope (schools, provider organization), read once per request; the
/// schools come from <see cref="UserSchoolsStore"/> across requests, evicted when a save touches them.
/// </summary>
public sealed class CurrentUser(IHttpContextAccessor http, AppDbContext db, UserSchoolsStore schoolsStore, SuccessPlans.Tenancy.CurrentTenant tenant)
{
    private IReadOnlyList<UserSchool>? _schools;
    private IReadOnlyList<int>? _schoolIds;

    private ClaimsPrincipal Principal => http.HttpContext?.User ?? new ClaimsPrincipal();

    public int Id => int.Parse(Principal.FindFirstValue(ClaimTypes.NameIdentifier) ?? "0", System.Globalization.CultureInfo.InvariantCulture);
    public string Email => Principal.FindFirstValue(ClaimTypes.Name) ?? "";
    public string DisplayName => Principal.FindFirstValue(AppClaims.DisplayName) ?? Email;
    public bool IsInRole(string role) => Principal.IsInRole(role);

    /// <summary>The schools whose students this user may see: all for an Admin, the assigned ones for a coordinator.</summary>
    public async Task<IReadOnlyList<int>> SchoolIdsAsync(CancellationToken ct = default) =>
        _schoolIds ??= (await SchoolsAsync(ct)).Select(s => s.Id).ToArray();

    /// <summary>The same schools with their names, in name order.</summary>
    public async Task<IReadOnlyList<UserSchool>> SchoolsAsync(CancellationToken ct = default)
    {
        if (_schools is not null) return _schools;
        var admin = IsInRole(Roles.Admin);
        if (!admin && !IsInRole(Roles.Coordinator))
            return _schools = [];
        if (tenant.TenantId is not { } tenantId)
            return _schools = await ReadSchoolsAsync(admin, ct);
        return _schools = await CachedAsync(tenantId, admin, c => ReadSchoolsAsync(admin, c), ct);
    }

    /// <summary>
    /// A value read from the user's schools and their students only (the grades, the worklist's children per school),
    /// cached with the schools, one entry per type: a save of a school or a student of the tenant, or an erasure, starts afresh.
    /// </summary>
    public async Task<T> InScopeAsync<T>(Func<CancellationToken, Task<T>> read, CancellationToken ct = default) where T : class
    {
        var admin = IsInRole(Roles.Admin);
        return tenant.TenantId is { } tenantId ? await CachedAsync(tenantId, admin, read, ct) : await read(ct);
    }

    // The generation is read before the value: a save in between makes a new one, so the value read here is never served after it.
    private async Task<T> CachedAsync<T>(int tenantId, bool admin, Func<CancellationToken, Task<T>> read, CancellationToken ct) where T : class
    {
        var generation = schoolsStore.Generation(tenantId);
        if (schoolsStore.TryGet<T>(tenantId, generation, Id, admin, out var cached))
            return cached!;
        var value = await read(ct);
        schoolsStore.Store(tenantId, generation, Id, admin, value);
        return value;
    }

    private async Task<IReadOnlyList<UserSchool>> ReadSchoolsAsync(bool admin, CancellationToken ct) => admin
        ? await db.Schools.OrderBy(s => s.Name).Select(s => new UserSchool(s.Id, s.Name)).ToArrayAsync(ct)
        : await db.CoordinatorSchools.Where(c => c.UserId == Id).OrderBy(c => c.School.Name).Select(c => new UserSchool(c.SchoolId, c.School.Name)).ToArrayAsync(ct);

    /// <summary>A provider's organization: from the API key's claim, or read for the signed-in user (it may have changed).</summary>
    public async Task<int?> ProviderOrganizationIdAsync(CancellationToken ct = default)
    {
        if (!IsInRole(Roles.Provider)) return null;
        if (Principal.FindFirstValue(SuccessPlans.Web.Features.Provider.ApiKeyAuthenticationHandler.OrganizationClaim) is { } claim)
            return int.Parse(claim, System.Globalization.CultureInfo.InvariantCulture);
        return await db.Users.Where(u => u.Id == Id).Select(u => u.ProviderOrganizationId).SingleOrDefaultAsync(ct);
    }
}
