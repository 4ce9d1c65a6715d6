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

    public UserScopeRequest ToRequest(bool active = true) => new(DisplayName, Role, SchoolIds, ProviderOrganizationId, active);
}

/// <summary>The choices the form offers, all from the Admin's own tenant.</summary>
public sealed class UserFormChoices
{
    public IReadOnlyList<SelectListItem> Schools { get; private init; } = [];
    public IReadOnlyList<SelectListItem> Organizations { get; private init; } = [];

    public static IReadOnlyList<UserRole> TenantRoles => UserScopeService.TenantRoles;

    public static async Task<UserFormChoices> LoadAsync(AppDbContext db, CancellationToken ct) => new()
    {
        Schools = await db.Schools.OrderBy(s => s.Name).Select(s => new SelectListItem(s.Name, s.Id.ToString())).ToListAsync(ct),
        Organizations = await db.ProviderOrganizations.OrderBy(o => o.Name).Select(o => new SelectListItem(o.Name, o.Id.ToString())).ToListAsync(ct),
    };

    /// <summary>The scope rules (Core's UserScopeService), keyed by the form's field names.</summary>
    public static async Task<List<(string Field, string Message)>> ValidateAsync(UserScopeService scopes, UserInput input, string prefix, CancellationToken ct) =>
        (await scopes.ValidateAsync(input.ToRequest(), ct)).SelectMany(e => e.Value.Select(m => ($"{prefix}.{e.Key}", CoreText.Show(m)))).ToList();
}
