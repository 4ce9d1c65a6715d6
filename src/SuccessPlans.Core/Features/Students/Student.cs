using SuccessPlans.Features.Schools;
using SuccessPlans.Tenancy;

namespace SuccessPlans.Features.Students;

/// <summary>Erased: an anonymous placeholder left by an erasure so the cabinet's counts stay (docs/retention.md); never shown.</summary>
public enum StudentStatus { Active, Withdrawn, Erased }

public class Student : TenantEntity
{
    public int SchoolId { get; set; }
    public School School { get; set; } = null!;

    /// <summary>OneRoster user sourcedId.</summary>
    public string? ExternalId { get; set; }
    public string? LocalId { get; set; }
    public required string GivenName { get; set; }
    public required string FamilyName { get; set; }
    /// <summary>OneRoster 1.2 preferredGivenName / preferredFamilyName / pronouns; null when the roster gives none.</summary>
    public string? PreferredGivenName { get; set; }
    public string? PreferredFamilyName { get; set; }
    public string? Pronouns { get; set; }
    public DateOnly? BirthDate { get; set; }
    public string? Grade { get; set; }
    public string? HomeLanguage { get; set; }
    public string? GuardianName { get; set; }
    public string? GuardianEmail { get; set; }
    public string? GuardianPhone { get; set; }
    public StudentStatus Status { get; set; } = StudentStatus.Active;
}

internal sealed class StudentConfiguration : IEntityTypeConfiguration<Student>
{
    public void Configure(EntityTypeBuilder<Student> b)
    {
        // A change of school moves the cabinet's outcomes version (migration CabinetOutcomesVersion); declared so that
        // EF's SQL Server statements do without OUTPUT, which a table with a trigger refuses.
        b.ToTable(t => t.HasTrigger("TR_Students_CabinetOutcomes"));
        b.Property(s => s.ExternalId).HasMaxLength(128);
        b.Property(s => s.LocalId).HasMaxLength(64);
        b.Property(s => s.GivenName).HasMaxLength(100);
        b.Property(s => s.FamilyName).HasMaxLength(100);
        b.Property(s => s.PreferredGivenName).HasMaxLength(100);
        b.Property(s => s.PreferredFamilyName).HasMaxLength(100);
        b.Property(s => s.Pronouns).HasMaxLength(40);
        b.Property(s => s.Grade).HasMaxLength(8);
        b.Property(s => s.HomeLanguage).HasMaxLength(35);
        b.Property(s => s.GuardianName).HasMaxLength(200);
        b.Property(s => s.GuardianEmail).HasMaxLength(256);
        b.Property(s => s.GuardianPhone).HasMaxLength(40);
        b.HasIndex(s => new { s.TenantId, s.ExternalId }).IsUnique().HasFilter("[ExternalId] IS NOT NULL");
        // The caseload lists a school's students by grade and name, and counts them; Status (and SchoolId in the name
        // index) ride along so the count and the walk in name order read the index alone, never the table.
        b.HasIndex(s => new { s.TenantId, s.SchoolId, s.Grade, s.FamilyName, s.GivenName, s.Status });
        b.HasIndex(s => new { s.TenantId, s.FamilyName, s.GivenName, s.SchoolId, s.Status });
        // A grade across the coordinator's schools in name order: without it the page walked the name index and read each
        // child's row for its grade, ten for every one kept (issue 15: the district's grade filter 0.27 against 0.09 ms of SQL).
        b.HasIndex(s => new { s.TenantId, s.Grade, s.FamilyName, s.GivenName, s.SchoolId, s.Status });
        // Pages read a page of rows by their ids (kept in order, TenantReadCache): with the tenant's filter SQLite without
        // statistics would walk the tenant's rows by TenantId rather than look up the few ids; this index makes each a lookup (issue 15).
        // Within the coordinator's schools, the schools' index still won until SQLite had the figures of SqliteStatistics.
        b.HasIndex(s => new { s.TenantId, s.Id }).IsUnique();
    }
}
