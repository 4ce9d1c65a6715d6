using SuccessPlans.Features.Schools;
using SuccessPlans.Features.Students;
using SuccessPlans.Tenancy;

namespace SuccessPlans.Features.Indicators;

/// <summary>Ed-Fi's AttendanceEventCategoryDescriptor values we keep ("In Attendance" days are not stored).</summary>
public enum AttendanceCategory { ExcusedAbsence, UnexcusedAbsence, Tardy, EarlyDeparture }

public enum IncidentSeverity { Minor, Major }

/// <summary>
/// A row imported from a district's system, keyed by that system's id. No Version column: imported rows are never edited
/// in a form, and the attendance table is the largest in the database (millions of rows), so every byte counts.
/// </summary>
public abstract class ImportedIndicator : ITenantOwned
{
    public int Id { get; set; }
    public int TenantId { get; private set; }
    /// <summary>The district's id of the row; unique per tenant, so a re-import matches what it wrote before.</summary>
    public required string SourceId { get; set; }
    public int StudentId { get; set; }
    public DateOnly Date { get; set; }
}

/// <summary>An absence or a tardy (Ed-Fi StudentSchoolAttendanceEvent); present days are not stored, they are the school's other instructional days.</summary>
public class AttendanceEvent : ImportedIndicator
{
    public int SchoolId { get; set; }
    public AttendanceCategory Category { get; set; }

    public static readonly AttendanceCategory[] Absences = [AttendanceCategory.ExcusedAbsence, AttendanceCategory.UnexcusedAbsence];
}

/// <summary>A behaviour incident a student took part in (Ed-Fi DisciplineIncident with its student association).</summary>
public class BehaviorIncident : ImportedIndicator
{
    public int SchoolId { get; set; }
    public string? Behavior { get; set; }
    public IncidentSeverity Severity { get; set; }
}

/// <summary>A course mark for a grading period (OneRoster gradebook result of a line item).</summary>
public class CourseMark : ImportedIndicator
{
    public required string Course { get; set; }
    public required string Term { get; set; }
    public required string Mark { get; set; }
    public bool Passing { get; set; }
}

/// <summary>An instructional day of a school's calendar (Ed-Fi CalendarDate): the denominator of the attendance rate.</summary>
public class SchoolDay : ITenantOwned
{
    public int Id { get; set; }
    public int TenantId { get; private set; }
    public int SchoolId { get; set; }
    public DateOnly Date { get; set; }
}

internal sealed class AttendanceEventConfiguration : IEntityTypeConfiguration<AttendanceEvent>
{
    public void Configure(EntityTypeBuilder<AttendanceEvent> b)
    {
        // Every write moves the cabinet's outcomes version (migration CabinetOutcomesVersion; no OUTPUT on SQL Server).
        b.ToTable(t => t.HasTrigger("TR_AttendanceEvents_CabinetOutcomes"));
        b.Property(e => e.SourceId).HasMaxLength(128);
        b.HasOne<Student>().WithMany().HasForeignKey(e => e.StudentId);
        b.HasOne<School>().WithMany().HasForeignKey(e => e.SchoolId);
        b.HasIndex(e => new { e.TenantId, e.SourceId }).IsUnique();
        // The summary counts a student's absences in a date range.
        b.HasIndex(e => new { e.TenantId, e.StudentId, e.Date });
    }
}

internal sealed class BehaviorIncidentConfiguration : IEntityTypeConfiguration<BehaviorIncident>
{
    public void Configure(EntityTypeBuilder<BehaviorIncident> b)
    {
        b.Property(e => e.SourceId).HasMaxLength(200);
        b.Property(e => e.Behavior).HasMaxLength(100);
        b.HasOne<Student>().WithMany().HasForeignKey(e => e.StudentId);
        b.HasOne<School>().WithMany().HasForeignKey(e => e.SchoolId);
        b.HasIndex(e => new { e.TenantId, e.SourceId }).IsUnique();
        b.HasIndex(e => new { e.TenantId, e.StudentId, e.Date });
    }
}

internal sealed class CourseMarkConfiguration : IEntityTypeConfiguration<CourseMark>
{
    public void Configure(EntityTypeBuilder<CourseMark> b)
    {
        b.Property(e => e.SourceId).HasMaxLength(128);
        b.Property(e => e.Course).HasMaxLength(200);
        b.Property(e => e.Term).HasMaxLength(100);
        b.Property(e => e.Mark).HasMaxLength(32);
        b.HasOne<Student>().WithMany().HasForeignKey(e => e.StudentId);
        b.HasIndex(e => new { e.TenantId, e.SourceId }).IsUnique();
        b.HasIndex(e => new { e.TenantId, e.StudentId, e.Date });
    }
}

internal sealed class SchoolDayConfiguration : IEntityTypeConfiguration<SchoolDay>
{
    public void Configure(EntityTypeBuilder<SchoolDay> b)
    {
        // Every write moves the cabinet's outcomes version (migration CabinetOutcomesVersion; no OUTPUT on SQL Server).
        b.ToTable(t => t.HasTrigger("TR_SchoolDays_CabinetOutcomes"));
        b.HasOne<School>().WithMany().HasForeignKey(e => e.SchoolId);
        b.HasIndex(e => new { e.TenantId, e.SchoolId, e.Date }).IsUnique();
    }
}
