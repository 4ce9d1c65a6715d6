using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc.Rendering;
using SuccessPlans.Features.Users;

namespace SuccessPlans.Web.Features.Users;

/// <summary>The fields an Admin sets for a user of their tenant: role and scope.</summary>
public class UserInput
{
    [Required, StringLength(200), Display(Name = "Name")]
    public string DisplayName { get; set; } = "";

    [Required, Display(Name = "Role")]
    public UserRole? Role { get; set; }

    [Display(Name = "Schools (coordinators)")]
    public List<int> SchoolIds { get; set; } = [];

    [Display(Name = "Provider organization (providers)")]
    public int? ProviderOrganizationId { get; set; }
}

/// <summary>The choices the form offers, all from the Admin's own tenant.</summary>
public sealed class UserFormChoices
{
    public IReadOnlyList<SelectListItem> Schools { get; private init; } = [];
    public IReadOnlyList<SelectListItem> Organizations { get; private init; } = [];

    public static readonly UserRole[] TenantRoles = [UserRole.Admin, UserRole.Coordinator, UserRole.Provider, UserRole.Cabinet];

    public static async Task<UserFormChoices> LoadAsync(AppDbContext db, CancellationToken ct) => new()
    {
        Schools = await db.Schools.OrderBy(s => s.Name).Select(s => new SelectListItem(s.Name, s.Id.ToString())).ToListAsync(ct),
        Organizations = await db.ProviderOrganizations.OrderBy(o => o.Name).Select(o => new SelectListItem(o.Name, o.Id.ToString())).ToListAsync(ct),
    };

    /// <summary>Checks role and scope against this tenant's schools and organizations; returns (field, message) errors.</summary>
    public static async Task<List<(string Field, string Message)>> ValidateAsync(AppDbContext db, UserInput input, string prefix, CancellationToken ct)
    {
        var errors = new List<(string, string)>();
        if (input.Role is not { } role || !TenantRoles.Contains(role))
        {
            errors.Add(($"{prefix}.Role", "Choose a role: Admin, Coordinator, Provider or Cabinet."));
            return errors;
        }
        if (role == UserRole.Coordinator && input.SchoolIds.Count > 0)
        {
            var ids = input.SchoolIds.Distinct().ToList();
            var known = await db.Schools.CountAsync(s => ids.Contains(s.Id), ct);
            if (known != ids.Count)
                errors.Add(($"{prefix}.SchoolIds", "One of the chosen schools does not exist."));
        }
        if (role == UserRole.Provider)
        {
            if (input.ProviderOrganizationId is not { } orgId)
                errors.Add(($"{prefix}.ProviderOrganizationId", "A provider user needs a provider organization."));
            else if (!await db.ProviderOrganizations.AnyAsync(o => o.Id == orgId, ct))
                errors.Add(($"{prefix}.ProviderOrganizationId", "That provider organization does not exist."));
        }
        return errors;
    }
}
