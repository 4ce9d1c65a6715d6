using Microsoft.AspNetCore.Identity;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Schools;
using SuccessPlans.Features.Tenants;
using SuccessPlans.Tenancy;

namespace SuccessPlans.Features.Users;

/// <summary>The roles (docs/domain.md); a user has exactly one. Operator stands outside every tenant.</summary>
public enum UserRole { Admin, Coordinator, Provider, Cabinet, Operator }

public static class Roles
{
    public const string Admin = nameof(UserRole.Admin);
    public const string Coordinator = nameof(UserRole.Coordinator);
    public const string Provider = nameof(UserRole.Provider);
    public const string Cabinet = nameof(UserRole.Cabinet);
    public const string Operator = nameof(UserRole.Operator);
}

/// <summary>
/// A sign-in identity. Every user but the platform operator belongs to one tenant. Unlike tenant data,
/// users are visible with no tenant in scope, because sign-in happens before a tenant is known.
/// </summary>
public class AppUser : IdentityUser<int>
{
    public int? TenantId { get; set; }
    public Tenant? Tenant { get; set; }

    public UserRole Role { get; set; }
    public required string DisplayName { get; set; }

    /// <summary>For a Provider: the one organization whose referrals they see.</summary>
    public int? ProviderOrganizationId { get; set; }
    public ProviderOrganization? ProviderOrganization { get; set; }

    public List<CoordinatorSchool> CoordinatorSchools { get; set; } = [];

    public DateTime CreatedAt { get; set; }

    /// <summary>Set when the user has chosen a password (invited users start without one).</summary>
    public DateTime? ActivatedAt { get; set; }

    /// <summary>The user's own choice: the daily email of referral updates (answers and messages). On by default.</summary>
    public bool EmailReferralUpdates { get; set; } = true;

    /// <summary>The user's language ("en", "es"; UiCultures in the host); null follows the browser's language.</summary>
    public string? Language { get; set; }
}

/// <summary>A coordinator's assignment to a school: the scope of what they see.</summary>
public class CoordinatorSchool : ITenantOwned
{
    public int TenantId { get; private set; }
    public int UserId { get; set; }
    public AppUser User { get; set; } = null!;
    public int SchoolId { get; set; }
    public School School { get; set; } = null!;
}

internal sealed class AppUserConfiguration : IEntityTypeConfiguration<AppUser>
{
    public void Configure(EntityTypeBuilder<AppUser> b)
    {
        b.Property(u => u.DisplayName).HasMaxLength(200);
        b.Property(u => u.Language).HasMaxLength(10);
        b.HasOne(u => u.Tenant).WithMany().HasForeignKey(u => u.TenantId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne(u => u.ProviderOrganization).WithMany().HasForeignKey(u => u.ProviderOrganizationId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(u => new { u.TenantId, u.Role, u.DisplayName });
    }
}

internal sealed class CoordinatorSchoolConfiguration : IEntityTypeConfiguration<CoordinatorSchool>
{
    public void Configure(EntityTypeBuilder<CoordinatorSchool> b)
    {
        b.HasKey(c => new { c.UserId, c.SchoolId });
        b.HasOne(c => c.User).WithMany(u => u.CoordinatorSchools).HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne(c => c.School).WithMany().HasForeignKey(c => c.SchoolId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(c => new { c.TenantId, c.SchoolId });
    }
}
