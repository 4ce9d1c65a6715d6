using SuccessPlans.Tenancy;

namespace SuccessPlans.Features.Schools;

public class School : TenantEntity
{
    public required string Name { get; set; }

    /// <summary>OneRoster org sourcedId, kept so re-imports update instead of duplicating.</summary>
    public string? ExternalId { get; set; }
}

internal sealed class SchoolConfiguration : IEntityTypeConfiguration<School>
{
    public void Configure(EntityTypeBuilder<School> b)
    {
        b.Property(s => s.Name).HasMaxLength(200);
        b.Property(s => s.ExternalId).HasMaxLength(128);
        b.HasIndex(s => new { s.TenantId, s.ExternalId }).IsUnique().HasFilter("[ExternalId] IS NOT NULL");
        b.HasIndex(s => new { s.TenantId, s.Name });
    }
}
