using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using SuccessPlans.Features.Jobs;
using SuccessPlans.Features.Tenants;
using SuccessPlans.Features.Users;
using SuccessPlans.Web.Features.Users;

namespace SuccessPlans.Web.Features.Tenants;

/// <summary>
/// The platform operator's one job: create a tenant and invite its first Admin. Runs in a scope of its own,
/// which becomes the new tenant's scope once the tenant exists, all in one transaction.
/// </summary>
public sealed partial class TenantProvisioning(IServiceScopeFactory scopes, RecurringJobsRegistrar registrar, TimeProvider time)
{
    public sealed record Request(string Name, string Slug, string TimeZoneId, string AdminEmail, string AdminName);

    public static IEnumerable<(string Field, string Message)> Validate(Request r)
    {
        if (string.IsNullOrWhiteSpace(r.Name)) yield return (nameof(r.Name), "Give the partnership a name.");
        if (!SlugPattern().IsMatch(r.Slug ?? "")) yield return (nameof(r.Slug), "The short name uses 2-64 lower-case letters, digits and dashes.");
        if (!Tenant.IsKnownTimeZone(r.TimeZoneId)) yield return (nameof(r.TimeZoneId), "Choose a known time zone, for example America/New_York.");
        if (string.IsNullOrWhiteSpace(r.AdminEmail) || !new System.ComponentModel.DataAnnotations.EmailAddressAttribute().IsValid(r.AdminEmail))
            yield return (nameof(r.AdminEmail), "Give the first Admin's email address.");
        if (string.IsNullOrWhiteSpace(r.AdminName)) yield return (nameof(r.AdminName), "Give the first Admin's name.");
    }

    /// <summary>Returns the new tenant, or the errors (nothing written).</summary>
    public async Task<(Tenant? Tenant, IReadOnlyList<(string Field, string Message)> Errors)> CreateAsync(Request r, CancellationToken ct)
    {
        var errors = Validate(r).ToList();
        if (errors.Count > 0) return (null, errors);

        // One unit, retried as a whole in a fresh scope; a refused invitation writes nothing, tenant included.
        var (tenant, refused) = await scopes.InNewScopeAsync<(Tenant?, IReadOnlyList<(string Field, string Message)>?)>(async (sp, db, ct) =>
        {
            if (await db.Tenants.AnyAsync(t => t.Slug == r.Slug, ct))
                return (null, [(nameof(r.Slug), "Another tenant already uses this short name.")]);
            var tenant = new Tenant { Name = r.Name.Trim(), Slug = r.Slug, TimeZoneId = r.TimeZoneId, CreatedAt = time.GetUtcNow().UtcDateTime };
            db.Tenants.Add(tenant);
            await db.SaveChangesAsync(ct);

            sp.GetRequiredService<CurrentTenant>().Set(tenant.Id);
            var (admin, inviteErrors) = await sp.GetRequiredService<Invitations>().InviteAsync(
                new Invitations.Request(r.AdminEmail, r.AdminName, UserRole.Admin, [], null), tenant.Name, ct);
            return admin is null ? (null, inviteErrors.Select(e => (nameof(r.AdminEmail), e)).ToList()) : (tenant, null);
        }, ct, commitWhen: t => t.Item2 is null);
        if (tenant is null)
            return (null, refused!);
        registrar.RegisterTenant(tenant);
        return (tenant, []);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,63}$")]
    private static partial Regex SlugPattern();
}
