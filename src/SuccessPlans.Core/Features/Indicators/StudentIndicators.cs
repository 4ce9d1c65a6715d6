using SuccessPlans.Features.Students;
using SuccessPlans.Tenancy;

namespace SuccessPlans.Features.Indicators;

/// <summary>Attendance bands, best first (Panorama's: 95 % or more, 90-95 %, 80-90 %, under 80 % by default).</summary>
public enum AttendanceBand { Satisfactory, AtRisk, Chronic, Severe }

/// <summary>
/// One row per student with indicator data: the year so far, this term and the last 30 days, refreshed after each import
/// and by the nightly check, so the caseload and the rules read a join, never a computation per request.
/// </summary>
public class StudentIndicators : ITenantOwned
{
    public int Id { get; set; }
    public int TenantId { get; private set; }
    public int StudentId { get; set; }
    public Student Student { get; set; } = null!;
    /// <summary>The tenant's local date the figures are as of.</summary>
    public DateOnly AsOf { get; set; }

    public int YearDays { get; set; }
    public int YearAbsences { get; set; }
    /// <summary>Attendance in tenths of a percent (SQLite cannot sort decimals): 953 is 95.3 %. Null without instructional days.</summary>
    public int? YearAttendance { get; set; }
    public AttendanceBand? YearBand { get; set; }
    public int YearIncidents { get; set; }
    public int YearFailures { get; set; }

    public int TermDays { get; set; }
    public int TermAbsences { get; set; }
    public int? TermAttendance { get; set; }
    public AttendanceBand? TermBand { get; set; }
    public int TermIncidents { get; set; }
    public int TermFailures { get; set; }

    public int RecentDays { get; set; }
    public int RecentAbsences { get; set; }
    public int? RecentAttendance { get; set; }
    public AttendanceBand? RecentBand { get; set; }
    public int RecentIncidents { get; set; }
    public int RecentFailures { get; set; }

    /// <summary>A rate in tenths of a percent as the reader writes it: "95.3%", "95.3 %" (Readable).</summary>
    public static string Percent(int? tenths) => tenths is { } t ? Readable.Percent(t / 1000.0, 1) : "–";
}

internal sealed class StudentIndicatorsConfiguration : IEntityTypeConfiguration<StudentIndicators>
{
    public void Configure(EntityTypeBuilder<StudentIndicators> b)
    {
        b.ToTable("StudentIndicators");
        b.HasOne(i => i.Student).WithMany().HasForeignKey(i => i.StudentId);
        b.HasIndex(i => new { i.TenantId, i.StudentId }).IsUnique();
        // The caseload's band filter and the nightly rule read by band.
        b.HasIndex(i => new { i.TenantId, i.YearBand });
    }
}
