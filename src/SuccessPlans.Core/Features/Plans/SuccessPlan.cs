using SuccessPlans.Features.Students;
using SuccessPlans.Tenancy;

namespace SuccessPlans.Features.Plans;

/// <summary>The four domains City Connects reviews every child in.</summary>
public enum Domain { Academic, SocialEmotionalBehavioral, Health, Family }

public enum PlanItemKind { Strength, Need, Interest }
public enum NeedPriority { Low, Medium, High }
public enum NeedStatus { Open, Met, ClosedUnmet }
public enum PlanStatus { Draft, Active, Closed }
public enum Term { Fall, Spring }

/// <summary>A child's personalized plan for one school year: strengths, needs and interests by domain.</summary>
public class SuccessPlan : TenantEntity
{
    public int StudentId { get; set; }
    public Student Student { get; set; } = null!;

    /// <summary>The year the school year starts in: 2026 is 2026-27.</summary>
    public int SchoolYear { get; set; }
    public PlanStatus Status { get; set; } = PlanStatus.Active;

    /// <summary>1 = strengths and minimal need, 2 = moderate need, 3 = intensive need.</summary>
    public int Tier { get; set; } = 1;
    public DateOnly? NextReviewDue { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? ClosedAt { get; set; }

    public List<PlanItem> Items { get; set; } = [];
}

/// <summary>A strength, need or interest; a need carries a goal, priority and status.</summary>
public class PlanItem : TenantEntity
{
    public int PlanId { get; set; }
    public SuccessPlan Plan { get; set; } = null!;
    public Domain Domain { get; set; }
    public PlanItemKind Kind { get; set; }
    public required string Description { get; set; }
    public string? Goal { get; set; }
    public NeedPriority? Priority { get; set; }
    public NeedStatus? Status { get; set; }
    public DateOnly? IdentifiedOn { get; set; }
    public DateOnly? ResolvedOn { get; set; }
    public DateTime CreatedAt { get; set; }

    /// <summary>
    /// Where the need's referrals stand, kept by the database itself with every write of a referral (a trigger of the
    /// migration NightlyIncremental, so set-based writes keep it too): the nightly rule UnmetNeed reads it instead of
    /// probing each open need's referrals. Never written by the app.
    /// </summary>
    public NeedReferralState ReferralState { get; private set; }

    // A need's goal may carry a measure (docs/goals.md): what is measured, from where to where, by when.
    public GoalMeasure? Measure { get; set; }
    /// <summary>What a recorded measure counts ("reading level", "minutes read a day"); indicator measures have their own.</summary>
    public string? MeasureLabel { get; set; }
    public decimal? Baseline { get; set; }
    public DateOnly? BaselineOn { get; set; }
    public decimal? Target { get; set; }
    public DateOnly? TargetOn { get; set; }
    public List<GoalPoint> Points { get; set; } = [];
}

/// <summary>Where a need's referrals stand, as the nightly rule UnmetNeed needs it (docs/nightly-check.md).</summary>
public enum NeedReferralState
{
    /// <summary>No referral under way and none ended without help (none at all, or only completed without the goal met, withdrawn, draft).</summary>
    None,
    /// <summary>A referral sent, accepted or in service, or completed with the goal met: the need is being met.</summary>
    UnderWay,
    /// <summary>Nothing under way, and a referral declined, expired or closed unsuccessfully: unmet at once.</summary>
    EndedWithoutHelp,
}

/// <summary>A teacher-and-coordinator review of one child in one term, with the tier it gave.</summary>
public class Review : TenantEntity
{
    public int StudentId { get; set; }
    public Student Student { get; set; } = null!;
    public int SchoolYear { get; set; }
    public Term Term { get; set; }
    public int Tier { get; set; }
    public int? ReviewerUserId { get; set; }
    public required string ReviewerName { get; set; }
    public DateOnly ReviewedOn { get; set; }
}

public static class SchoolYears
{
    /// <summary>School years start on 1 August: 2026-11-22 is in 2026-27.</summary>
    public static int For(DateOnly date) => date.Month >= 8 ? date.Year : date.Year - 1;

    public static string Label(int startYear) => $"{startYear}–{(startYear + 1) % 100:00}";

    /// <summary>Fall runs August to January, spring February to July.</summary>
    public static Term TermFor(DateOnly date) => date.Month is >= 8 or 1 ? Term.Fall : Term.Spring;
}

internal sealed class SuccessPlanConfiguration : IEntityTypeConfiguration<SuccessPlan>
{
    public void Configure(EntityTypeBuilder<SuccessPlan> b)
    {
        b.HasOne(p => p.Student).WithMany().HasForeignKey(p => p.StudentId);
        // One plan per student per school year.
        b.HasIndex(p => new { p.TenantId, p.StudentId, p.SchoolYear }).IsUnique();
        b.HasIndex(p => new { p.TenantId, p.SchoolYear, p.Status, p.Tier });
        b.HasIndex(p => new { p.TenantId, p.Status, p.NextReviewDue });
    }
}

internal sealed class PlanItemConfiguration : IEntityTypeConfiguration<PlanItem>
{
    public void Configure(EntityTypeBuilder<PlanItem> b)
    {
        b.Property(i => i.Description).HasMaxLength(1000);
        b.Property(i => i.Goal).HasMaxLength(1000);
        b.Property(i => i.MeasureLabel).HasMaxLength(Goals.MaxLabel);
        b.Property(i => i.Baseline).HasPrecision(9, 2);
        b.Property(i => i.Target).HasPrecision(9, 2);
        b.HasOne(i => i.Plan).WithMany(p => p.Items).HasForeignKey(i => i.PlanId);
        // A plan's needs by kind and status (the caseload's open-needs count and filter, one lookup per student), and
        // by domain (the nightly check's "no open need in that domain").
        b.HasIndex(i => new { i.TenantId, i.PlanId, i.Kind, i.Status, i.Domain });
        b.HasIndex(i => new { i.TenantId, i.Kind, i.Status, i.IdentifiedOn });
        // The nightly rule UnmetNeed: open needs by where their referrals stand and age, with their plan (one range scan).
        b.HasIndex(i => new { i.TenantId, i.Kind, i.Status, i.ReferralState, i.IdentifiedOn, i.PlanId });
        // The cabinet counts needs met in a period.
        b.HasIndex(i => new { i.TenantId, i.Kind, i.Status, i.ResolvedOn, i.PlanId });
    }
}

internal sealed class ReviewConfiguration : IEntityTypeConfiguration<Review>
{
    public void Configure(EntityTypeBuilder<Review> b)
    {
        b.Property(r => r.ReviewerName).HasMaxLength(200);
        b.HasOne(r => r.Student).WithMany().HasForeignKey(r => r.StudentId);
        b.HasIndex(r => new { r.TenantId, r.StudentId, r.SchoolYear, r.Term }).IsUnique();
    }
}
