using Microsoft.AspNetCore.Identity;
using SuccessPlans.Data;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Schools;

namespace SuccessPlans.Features.Users;

/// <summary>What an Admin sets for a user of the tenant: name, role, scope (schools, organization) and whether the user is active.</summary>
public sealed record UserScopeRequest(string? DisplayName, UserRole? Role, IReadOnlyCollection<int> SchoolIds, int? ProviderOrganizationId, bool Active = true);

/// <summary>
/// The rules of a user's role and scope, for invitations and edits alike: one of the tenant roles; a coordinator's
/// schools and a provider's organization exist in this tenant; an Admin cannot demote or deactivate themselves;
/// a change made since the form was shown is not overwritten; open sessions pick up a new scope at once.
/// </summary>
public sealed class UserScopeService(AppDbContext db, UserManager<AppUser> users)
{
    public static readonly UserRole[] TenantRoles = [UserRole.Admin, UserRole.Coordinator, UserRole.Provider, UserRole.Cabinet];

    /// <summary>The request's errors by field (DisplayName, Role, SchoolIds, ProviderOrganizationId); empty when valid.</summary>
    public async Task<Dictionary<string, CoreMessage[]>> ValidateAsync(UserScopeRequest request, CancellationToken ct = default)
    {
        var errors = new Dictionary<string, CoreMessage[]>();
        if (string.IsNullOrWhiteSpace(request.DisplayName))
            errors["DisplayName"] = ["Give the user's name."];
        else if (request.DisplayName.Trim().Length > 200)
            errors["DisplayName"] = ["The name is longer than 200 characters."];
        if (request.Role is not { } role || !TenantRoles.Contains(role))
        {
            errors["Role"] = ["Choose a role: Admin, Coordinator, Provider or Cabinet."];
            return errors;
        }
        if (role == UserRole.Coordinator && request.SchoolIds.Count > 0)
        {
            var ids = request.SchoolIds.Distinct().ToList();
            if (await db.Schools.CountAsync(s => ids.Contains(s.Id), ct) != ids.Count)
                errors["SchoolIds"] = ["One of the chosen schools does not exist."];
        }
        if (role == UserRole.Provider)
        {
            if (request.ProviderOrganizationId is not { } orgId)
                errors["ProviderOrganizationId"] = ["A provider user needs a provider organization."];
            else if (!await db.ProviderOrganizations.AnyAsync(o => o.Id == orgId, ct))
                errors["ProviderOrganizationId"] = ["That provider organization does not exist."];
        }
        return errors;
    }

    /// <summary>
    /// Saves a user's name, role, scope and activity. <paramref name="concurrencyStamp"/> is the one the Admin saw;
    /// <paramref name="actingUserId"/> is the Admin, who may not demote or deactivate themselves. All or nothing.
    /// </summary>
    public async Task UpdateAsync(AppUser user, UserScopeRequest request, string? concurrencyStamp, int actingUserId, CancellationToken ct = default)
    {
        var errors = await ValidateAsync(request, ct);
        if (user.Id == actingUserId && (request.Role != UserRole.Admin || !request.Active))
            errors["Role"] = ["You cannot remove your own Admin role or deactivate yourself."];
        if (errors.Count > 0)
            throw new ValidationFailedException(errors);

        // One unit, retried as a whole: each attempt reads the user again (the caller's instance on the first).
        await db.InTransactionAsync(async ct =>
        {
            var current = await db.Users.Include(u => u.CoordinatorSchools).SingleAsync(u => u.Id == user.Id, ct);
            await ApplyAsync(current, request, concurrencyStamp, ct);
        }, ct);
    }

    private async Task ApplyAsync(AppUser user, UserScopeRequest request, string? concurrencyStamp, CancellationToken ct)
    {
        // Identity's store re-attaches the user, so the stamp seen is set as both the original and current value.
        db.Entry(user).Property(u => u.ConcurrencyStamp).OriginalValue = concurrencyStamp ?? "";
        user.ConcurrencyStamp = concurrencyStamp ?? "";
        user.DisplayName = request.DisplayName!.Trim();
        var scopeChanged = user.Role != request.Role || user.ProviderOrganizationId != request.ProviderOrganizationId;
        user.Role = request.Role!.Value;
        user.ProviderOrganizationId = user.Role == UserRole.Provider ? request.ProviderOrganizationId : null;
        var wanted = user.Role == UserRole.Coordinator ? request.SchoolIds.Distinct().ToHashSet() : [];
        db.CoordinatorSchools.RemoveRange(user.CoordinatorSchools.Where(c => !wanted.Contains(c.SchoolId)));
        foreach (var schoolId in wanted.Except(user.CoordinatorSchools.Select(c => c.SchoolId)))
            db.CoordinatorSchools.Add(new CoordinatorSchool { UserId = user.Id, SchoolId = schoolId });
        var deactivate = !request.Active && !IsDeactivated(user);
        if (deactivate) user.LockoutEnd = DateTimeOffset.MaxValue;
        if (request.Active && IsDeactivated(user)) user.LockoutEnd = null;

        var result = await users.UpdateAsync(user);
        if (!result.Succeeded)
        {
            // Throwing rolls the transaction back.
            if (result.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.ConcurrencyFailure)))
                throw new ConcurrencyConflictException("Someone else changed this user while you were editing. The form now shows their version; make your change again.");
            throw ValidationFailedException.For("", CoreMessage.Untranslated(string.Join(" ", result.Errors.Select(e => e.Description))));
        }
        // Open sessions pick up a new role, scope or deactivation at their next validation.
        if (scopeChanged || deactivate || wanted.Count > 0)
            await users.UpdateSecurityStampAsync(user);
    }

    public static bool IsDeactivated(AppUser u) => u.LockoutEnd is { Year: > 9000 };
}
