using System.Globalization;
using SuccessPlans.Tenancy;

namespace SuccessPlans.Features.Plans;

/// <summary>What a need's goal is measured by: one of the imported indicators, or a value the coordinator records.</summary>
public enum GoalMeasure { AttendanceRate, Incidents, CourseFailures, Recorded }

/// <summary>Where a goal stands: the latest value against the baseline, in the target's direction (docs/goals.md).</summary>
public enum GoalProgress { Progressing, NoChange, Declining, Met }

/// <summary>A value recorded by hand for a goal with a recorded measure (indicator measures compute theirs).</summary>
public class GoalPoint : TenantEntity
{
    public int NeedId { get; set; }
    public PlanItem Need { get; set; } = null!;
    public DateOnly On { get; set; }
    public decimal Value { get; set; }
    public DateTime RecordedAt { get; set; }
    public required string RecordedBy { get; set; }
}

/// <summary>One value of a goal's series: a month of an indicator, or a point recorded by hand.</summary>
public sealed record GoalValue(DateOnly On, decimal Value);

/// <summary>The rules of measurable goals: units, ranges and the one progress rule.</summary>
public static class Goals
{
    public const int MaxLabel = 100;
    public const int MaxPoints = 100;

    /// <summary>
    /// The share of the distance from baseline to target that counts as a change: a move smaller than a tenth of the way
    /// is "no change" (one absence more or less in a month moves a rate by some points, which says nothing).
    /// </summary>
    public const decimal Tolerance = 0.10m;

    /// <summary>The range a value of the measure may take.</summary>
    public static (decimal Min, decimal Max) Range(GoalMeasure measure) => measure switch
    {
        GoalMeasure.AttendanceRate => (0, 100),
        GoalMeasure.Incidents or GoalMeasure.CourseFailures => (0, 1000),
        _ => (-1_000_000, 1_000_000),
    };

    /// <summary>What the goal measures, in the reader's language (a measure of the coordinator's own is their words).</summary>
    public static string Unit(GoalMeasure measure, string? label) => measure switch
    {
        GoalMeasure.AttendanceRate => Labels.T("attendance rate (% of school days in the month)"),
        GoalMeasure.Incidents => Labels.T("behaviour incidents in the month"),
        GoalMeasure.CourseFailures => Labels.T("course marks failed in the month"),
        _ => label ?? "",
    };

    public static string Words(GoalProgress progress) => progress switch
    {
        GoalProgress.Progressing => "Progressing",
        GoalProgress.NoChange => "No change",
        GoalProgress.Declining => "Declining",
        _ => "Met",
    };

    /// <summary>A goal's value as the reader writes numbers: "86.4%" / "86.4 %", "1,250.5".</summary>
    public static string Show(decimal value, GoalMeasure measure) =>
        measure == GoalMeasure.AttendanceRate
            ? Readable.Percent((double)value / 100, 1)
            : value.ToString("#,0.##", Languages.Current);

    /// <summary>
    /// The progress code: none without a value after the baseline. The target's side of the baseline gives the direction
    /// (a target above the baseline wants the value up). The latest value at or past the target is <b>met</b>; otherwise
    /// its move from the baseline, in that direction, beyond <see cref="Tolerance"/> of the way to the target is
    /// <b>progressing</b> (or <b>declining</b> when the move is the other way), and anything within is <b>no change</b>.
    /// </summary>
    public static GoalProgress? Progress(decimal baseline, decimal target, IReadOnlyList<GoalValue> values)
    {
        if (values.Count == 0 || baseline == target) return null;
        var latest = values.MaxBy(v => v.On)!.Value;
        var direction = target > baseline ? 1 : -1;
        if ((latest - target) * direction >= 0) return GoalProgress.Met;
        var moved = (latest - baseline) * direction;
        var tolerance = Math.Abs(target - baseline) * Tolerance;
        return moved > tolerance ? GoalProgress.Progressing : moved < -tolerance ? GoalProgress.Declining : GoalProgress.NoChange;
    }
}

internal sealed class GoalPointConfiguration : IEntityTypeConfiguration<GoalPoint>
{
    public void Configure(EntityTypeBuilder<GoalPoint> b)
    {
        b.Property(p => p.Value).HasPrecision(9, 2);
        b.Property(p => p.RecordedBy).HasMaxLength(200);
        b.HasOne(p => p.Need).WithMany(i => i.Points).HasForeignKey(p => p.NeedId);
        // The student page reads a need's points in date order.
        b.HasIndex(p => new { p.TenantId, p.NeedId, p.On });
    }
}
