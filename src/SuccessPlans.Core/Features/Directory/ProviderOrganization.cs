using SuccessPlans.Tenancy;

namespace SuccessPlans.Features.Directory;

/// <summary>A community service provider (HSDS organization).</summary>
public class ProviderOrganization : TenantEntity
{
    /// <summary>HSDS organization id, kept for round trips.</summary>
    public string? HsdsId { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    public string? Email { get; set; }
    public string? Website { get; set; }

    public List<Service> Services { get; set; } = [];
}

/// <summary>A service a provider offers (HSDS service).</summary>
public class Service : TenantEntity
{
    public int OrganizationId { get; set; }
    public ProviderOrganization Organization { get; set; } = null!;

    /// <summary>HSDS service id, kept for round trips.</summary>
    public string? HsdsId { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }

    /// <summary>HSDS status: active, inactive, defunct, temporarily closed.</summary>
    public string Status { get; set; } = "active";
    public string? EligibilityDescription { get; set; }
    public int? MinimumAge { get; set; }
    public int? MaximumAge { get; set; }

    /// <summary>Our domain (academic, social-emotional-behavioral, health, family); HSDS carries it as a taxonomy term.</summary>
    public SuccessPlans.Features.Plans.Domain? Domain { get; set; }
    public ServiceTier? Tier { get; set; }

    /// <summary>Open places now; null when the provider does not say, 0 when full. Services with room are offered first.</summary>
    public int? Capacity { get; set; }

    /// <summary>The service keeps a waitlist: a full service still takes referrals onto it.</summary>
    public bool HasWaitlist { get; set; }

    public bool IsFull => Capacity == 0;

    /// <summary>The most places the service can have (HSDS 3.1 service_capacity.maximum).</summary>
    public int? CapacityMaximum { get; set; }

    /// <summary>What a place is (HSDS 3.1 unit name: "bed", "hours"...); null means places (HsdsVocabulary.DefaultCapacityUnit).</summary>
    public string? CapacityUnit { get; set; }

    /// <summary>When the open places were last given (UTC; HSDS 3.1 service_capacity.updated); null when not known.</summary>
    public DateTime? CapacityUpdatedAt { get; set; }

    /// <summary>
    /// The open places as given now (by the provider, its system, or a "no capacity" decline), with when they were given:
    /// the one place where the count and its date change together, so the directory's export says how fresh each count is.
    /// </summary>
    public void GiveCapacity(int? openPlaces, DateTime now)
    {
        Capacity = openPlaces;
        CapacityUpdatedAt = openPlaces is null ? null : now;
    }

    /// <summary>Languages the service is offered in, as ISO 639-1 codes separated by spaces ("en es").</summary>
    public string? Languages { get; set; }

    public List<ServiceAtLocation> Locations { get; set; } = [];
    public List<ServiceTerm> Terms { get; set; } = [];

    public bool OffersLanguage(string? code) =>
        code is null || Languages is null || Languages.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(code, StringComparer.OrdinalIgnoreCase);
}

/// <summary>The service tiers of a success plan.</summary>
public enum ServiceTier { PreventionEnrichment, EarlyIntervention, IntensiveCrisis }

internal sealed class ProviderOrganizationConfiguration : IEntityTypeConfiguration<ProviderOrganization>
{
    public void Configure(EntityTypeBuilder<ProviderOrganization> b)
    {
        b.Property(o => o.HsdsId).HasMaxLength(128);
        b.Property(o => o.Name).HasMaxLength(200);
        b.Property(o => o.Email).HasMaxLength(256);
        b.Property(o => o.Website).HasMaxLength(500);
        b.HasIndex(o => new { o.TenantId, o.HsdsId }).IsUnique().HasFilter("[HsdsId] IS NOT NULL");
        b.HasIndex(o => new { o.TenantId, o.Name });
    }
}

internal sealed class ServiceConfiguration : IEntityTypeConfiguration<Service>
{
    public void Configure(EntityTypeBuilder<Service> b)
    {
        b.Property(s => s.HsdsId).HasMaxLength(128);
        b.Property(s => s.Name).HasMaxLength(200);
        b.Property(s => s.Status).HasMaxLength(32);
        b.HasOne(s => s.Organization).WithMany(o => o.Services).HasForeignKey(s => s.OrganizationId);
        b.HasIndex(s => new { s.TenantId, s.HsdsId }).IsUnique().HasFilter("[HsdsId] IS NOT NULL");
        b.HasIndex(s => new { s.TenantId, s.OrganizationId, s.Name });
        b.Property(s => s.Languages).HasMaxLength(200);
        b.Property(s => s.CapacityUnit).HasMaxLength(100);
        // Finding a service for a need starts from the domain.
        b.HasIndex(s => new { s.TenantId, s.Domain, s.Status });
    }
}
