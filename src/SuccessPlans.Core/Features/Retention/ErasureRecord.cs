namespace SuccessPlans.Features.Retention;

public enum ErasureKind { Student, Tenant }

/// <summary>
/// That an erasure happened: who, when, what kind, the subject's id, never a name. Platform-level on purpose (not
/// tenant-owned): the record of a tenant's erasure must outlive the tenant. A tenant's own student erasures go with
/// the tenant, since the tenant's erasure record then covers them (docs/retention.md).
/// </summary>
public class ErasureRecord
{
    public int Id { get; set; }

    /// <summary>The tenant the subject belonged to; a plain value, no foreign key, so it survives the tenant.</summary>
    public int TenantId { get; set; }
    public ErasureKind Kind { get; set; }

    /// <summary>The student's or the tenant's id.</summary>
    public int SubjectId { get; set; }
    public DateTime At { get; set; }
    public int? ByUserId { get; set; }

    /// <summary>The erasing Admin's or operator's email (a staff member, never the child).</summary>
    public required string ByEmail { get; set; }
}

internal sealed class ErasureRecordConfiguration : IEntityTypeConfiguration<ErasureRecord>
{
    public void Configure(EntityTypeBuilder<ErasureRecord> b)
    {
        b.Property(r => r.ByEmail).HasMaxLength(256);
        b.HasIndex(r => new { r.TenantId, r.At });
    }
}
