using SuccessPlans.Tenancy;

namespace SuccessPlans.Features.Tenants;

/// <summary>One community partnership (a children's cabinet); nothing of one tenant is visible to another.</summary>
public class Tenant : IVersioned
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public required string Slug { get; set; }

    /// <summary>IANA time zone id, e.g. America/New_York: nightly jobs run at the tenant's local hour.</summary>
    public string TimeZoneId { get; set; } = "America/New_York";

    /// <summary>Cabinet cells counting fewer children than this are suppressed.</summary>
    public int SuppressionThreshold { get; set; } = 10;
    public int UnmetNeedDays { get; set; } = 14;
    public int NoResponseDays { get; set; } = 7;
    public int StalledDays { get; set; } = 21;

    /// <summary>A sent referral with no answer after this many days expires.</summary>
    public int ReferralExpiryDays { get; set; } = 30;

    /// <summary>Local hour (0-23) at which the tenant's nightly jobs run.</summary>
    public int NightlyHour { get; set; } = 4;

    /// <summary>Sent email bodies can name children; they are purged after this many days.</summary>
    public int NotificationRetentionDays { get; set; } = 90;

    /// <summary>
    /// A roster upload never applied (abandoned at the preview) holds every child's data: its package is purged by the
    /// nightly retention job after this many days (docs/retention.md).
    /// </summary>
    public int AbandonedUploadRetentionDays { get; set; } = DefaultAbandonedUploadRetentionDays;

    public const int DefaultAbandonedUploadRetentionDays = 7;
    public const int MinAbandonedUploadRetentionDays = 1;
    public const int MaxAbandonedUploadRetentionDays = 60;

    /// <summary>
    /// Attendance bands (docs/indicators.md): a rate at or above the first is satisfactory, at or above the second at risk,
    /// at or above the third chronically absent, below it severely chronically absent. Percent, whole numbers.
    /// </summary>
    public int AttendanceSatisfactoryPercent { get; set; } = 95;
    public int AttendanceAtRiskPercent { get; set; } = 90;
    public int AttendanceChronicPercent { get; set; } = 80;

    /// <summary>Why three band thresholds do not make bands (each must be below the one before), or null.</summary>
    public static string? AttendanceBandsError(int satisfactory, int atRisk, int chronic) =>
        satisfactory > atRisk && atRisk > chronic && chronic > 0 && satisfactory <= 100 ? null
            : "Each attendance threshold must be lower than the one before it (for example 95, 90 and 80).";

    /// <summary>Every user of the tenant needs a second factor to sign in (Admins always do).</summary>
    public bool RequireTwoFactor { get; set; }

    public DateTime CreatedAt { get; set; }
    public Guid Version { get; set; }

    /// <summary>
    /// Moves with every write of the data the cabinet's outcomes read besides the delivery rollup (attendance, school
    /// days, a student's school): kept by database triggers (migration CabinetOutcomesVersion), never by the app, so
    /// set-based writes (imports, erasure, retention) count too. The outcomes' cache key (<c>CabinetOutcomes</c>).
    /// </summary>
    public long OutcomesVersion { get; private set; }

    public TimeZoneInfo TimeZone => TimeZoneInfo.FindSystemTimeZoneById(TimeZoneId);

    public static bool IsKnownTimeZone(string? id) =>
        !string.IsNullOrWhiteSpace(id) && TimeZoneInfo.TryFindSystemTimeZoneById(id, out _);
}

internal sealed class TenantConfiguration : IEntityTypeConfiguration<Tenant>
{
    public void Configure(EntityTypeBuilder<Tenant> b)
    {
        b.Property(t => t.Name).HasMaxLength(200);
        b.Property(t => t.Slug).HasMaxLength(64);
        b.Property(t => t.TimeZoneId).HasMaxLength(64);
        b.HasIndex(t => t.Slug).IsUnique();
    }
}
