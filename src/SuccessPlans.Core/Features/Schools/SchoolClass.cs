using SuccessPlans.Features.Students;
using SuccessPlans.Tenancy;

namespace SuccessPlans.Features.Schools;

/// <summary>A teacher's class (OneRoster class), so a coordinator can review a class with its teacher.</summary>
public class SchoolClass : TenantEntity
{
    public int SchoolId { get; set; }
    public School School { get; set; } = null!;
    public required string ExternalId { get; set; }
    public required string Title { get; set; }
    public string? Grade { get; set; }
    public string? TeacherName { get; set; }
    public List<ClassEnrollment> Enrollments { get; set; } = [];
}

public class ClassEnrollment : ITenantOwned
{
    public int TenantId { get; private set; }
    public int ClassId { get; set; }
    public SchoolClass Class { get; set; } = null!;
    public int StudentId { get; set; }
    public Student Student { get; set; } = null!;
}

internal sealed class SchoolClassConfiguration : IEntityTypeConfiguration<SchoolClass>
{
    public void Configure(EntityTypeBuilder<SchoolClass> b)
    {
        b.Property(c => c.ExternalId).HasMaxLength(128);
        b.Property(c => c.Title).HasMaxLength(200);
        b.Property(c => c.Grade).HasMaxLength(8);
        b.Property(c => c.TeacherName).HasMaxLength(200);
        b.HasOne(c => c.School).WithMany().HasForeignKey(c => c.SchoolId);
        b.HasIndex(c => new { c.TenantId, c.ExternalId }).IsUnique();
        b.HasIndex(c => new { c.TenantId, c.SchoolId, c.Title });
    }
}

internal sealed class ClassEnrollmentConfiguration : IEntityTypeConfiguration<ClassEnrollment>
{
    public void Configure(EntityTypeBuilder<ClassEnrollment> b)
    {
        b.HasKey(e => new { e.ClassId, e.StudentId });
        b.HasOne(e => e.Class).WithMany(c => c.Enrollments).HasForeignKey(e => e.ClassId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne(e => e.Student).WithMany().HasForeignKey(e => e.StudentId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(e => new { e.TenantId, e.StudentId });
    }
}
