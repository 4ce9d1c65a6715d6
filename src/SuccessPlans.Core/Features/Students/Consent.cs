using SuccessPlans.Features.Directory;
using SuccessPlans.Tenancy;

namespace SuccessPlans.Features.Students;

/// <summary>
/// A guardian's consent: to services, and to sharing the child's data with named provider organizations
/// or with any partner. A referral that shares data needs one in force (or an Admin override).
/// </summary>
public class Consent : TenantEntity
{
    public int StudentId { get; set; }
    public Student Student { get; set; } = null!;
    public required string GuardianName { get; set; }
    public DateOnly GivenOn { get; set; }
    public bool CoversServices { get; set; } = true;
    public bool SharesWithAnyPartner { get; set; }
    public List<ConsentOrganization> Organizations { get; set; } = [];
    public DateOnly? ExpiresOn { get; set; }
    public DateOnly? RevokedOn { get; set; }
    public string? RevokedReason { get; set; }
    public int? RecordedByUserId { get; set; }
    public required string RecordedByName { get; set; }
    public DateTime RecordedAt { get; set; }

    public bool IsInForce(DateOnly today) => GivenOn <= today && RevokedOn is null && (ExpiresOn is null || ExpiresOn >= today);

    public bool AllowsSharingWith(int organizationId, DateOnly today) =>
        IsInForce(today) && (SharesWithAnyPartner || Organizations.Any(o => o.OrganizationId == organizationId));
}

public class ConsentOrganization : ITenantOwned
{
    public int TenantId { get; private set; }
    public int ConsentId { get; set; }
    public Consent Consent { get; set; } = null!;
    public int OrganizationId { get; set; }
    public ProviderOrganization Organization { get; set; } = null!;
}

/// <summary>The student's history: who changed what, and when.</summary>
public class StudentEvent : TenantEntity
{
    public int StudentId { get; set; }
    public DateTime At { get; set; }
    public int? UserId { get; set; }
    public required string UserName { get; set; }
    public required string Action { get; set; }
    public string? Details { get; set; }
}

internal sealed class ConsentConfiguration : IEntityTypeConfiguration<Consent>
{
    public void Configure(EntityTypeBuilder<Consent> b)
    {
        b.Property(c => c.GuardianName).HasMaxLength(200);
        b.Property(c => c.RevokedReason).HasMaxLength(1000);
        b.Property(c => c.RecordedByName).HasMaxLength(200);
        b.HasOne(c => c.Student).WithMany().HasForeignKey(c => c.StudentId);
        b.HasIndex(c => new { c.TenantId, c.StudentId, c.GivenOn });
    }
}

internal sealed class ConsentOrganizationConfiguration : IEntityTypeConfiguration<ConsentOrganization>
{
    public void Configure(EntityTypeBuilder<ConsentOrganization> b)
    {
        b.HasKey(c => new { c.ConsentId, c.OrganizationId });
        b.HasOne(c => c.Consent).WithMany(c => c.Organizations).HasForeignKey(c => c.ConsentId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne(c => c.Organization).WithMany().HasForeignKey(c => c.OrganizationId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(c => new { c.TenantId, c.OrganizationId });
    }
}

internal sealed class StudentEventConfiguration : IEntityTypeConfiguration<StudentEvent>
{
    public void Configure(EntityTypeBuilder<StudentEvent> b)
    {
        b.Property(e => e.UserName).HasMaxLength(200);
        b.Property(e => e.Action).HasMaxLength(64);
        b.Property(e => e.Details).HasMaxLength(2000);
        b.HasOne<Student>().WithMany().HasForeignKey(e => e.StudentId);
        b.HasIndex(e => new { e.TenantId, e.StudentId, e.At });
    }
}
