using SuccessPlans.Tenancy;

namespace SuccessPlans.Features.Directory;

/// <summary>Where services are delivered (HSDS location with its physical address).</summary>
public class ServiceLocation : TenantEntity
{
    public int? OrganizationId { get; set; }
    public ProviderOrganization? Organization { get; set; }
    public string? HsdsId { get; set; }
    public required string Name { get; set; }
    public string? Address1 { get; set; }
    public string? Address2 { get; set; }
    public string? City { get; set; }
    public string? Region { get; set; }
    public string? PostalCode { get; set; }

    /// <summary>ISO 3166-1 two-letter code; null reads as US, where the app began.</summary>
    public string? Country { get; set; }
    public List<ServiceAtLocation> Services { get; set; } = [];

    public string Describe() => string.Join(", ", new[] { Name, Address1, City }.Where(p => !string.IsNullOrWhiteSpace(p)));
}

public class ServiceAtLocation : ITenantOwned
{
    public int TenantId { get; private set; }
    public int ServiceId { get; set; }
    public Service Service { get; set; } = null!;
    public int LocationId { get; set; }
    public ServiceLocation Location { get; set; } = null!;
}

/// <summary>A taxonomy term of another vocabulary (211 LA, Open Eligibility...) attached to a service, kept for round trips and search.</summary>
public class ServiceTerm : ITenantOwned
{
    public int TenantId { get; private set; }
    public int ServiceId { get; set; }
    public Service Service { get; set; } = null!;
    public required string TermHsdsId { get; set; }
    public string? Code { get; set; }
    public required string Name { get; set; }
    public string? Taxonomy { get; set; }
}

internal sealed class ServiceLocationConfiguration : IEntityTypeConfiguration<ServiceLocation>
{
    public void Configure(EntityTypeBuilder<ServiceLocation> b)
    {
        b.Property(l => l.HsdsId).HasMaxLength(128);
        b.Property(l => l.Name).HasMaxLength(200);
        b.Property(l => l.Address1).HasMaxLength(200);
        b.Property(l => l.Address2).HasMaxLength(200);
        b.Property(l => l.Country).HasMaxLength(2);
        b.Property(l => l.City).HasMaxLength(100);
        b.Property(l => l.Region).HasMaxLength(100);
        b.Property(l => l.PostalCode).HasMaxLength(20);
        b.HasOne(l => l.Organization).WithMany().HasForeignKey(l => l.OrganizationId);
        b.HasIndex(l => new { l.TenantId, l.HsdsId }).IsUnique().HasFilter("[HsdsId] IS NOT NULL");
    }
}

internal sealed class ServiceAtLocationConfiguration : IEntityTypeConfiguration<ServiceAtLocation>
{
    public void Configure(EntityTypeBuilder<ServiceAtLocation> b)
    {
        b.HasKey(x => new { x.ServiceId, x.LocationId });
        b.HasOne(x => x.Service).WithMany(s => s.Locations).HasForeignKey(x => x.ServiceId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne(x => x.Location).WithMany(l => l.Services).HasForeignKey(x => x.LocationId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => new { x.TenantId, x.LocationId });
    }
}

internal sealed class ServiceTermConfiguration : IEntityTypeConfiguration<ServiceTerm>
{
    public void Configure(EntityTypeBuilder<ServiceTerm> b)
    {
        b.HasKey(x => new { x.ServiceId, x.TermHsdsId });
        b.Property(x => x.TermHsdsId).HasMaxLength(128);
        b.Property(x => x.Code).HasMaxLength(100);
        b.Property(x => x.Name).HasMaxLength(200);
        b.Property(x => x.Taxonomy).HasMaxLength(200);
        b.HasOne(x => x.Service).WithMany(s => s.Terms).HasForeignKey(x => x.ServiceId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => new { x.TenantId, x.Code });
    }
}
