using SuccessPlans.Tenancy;

namespace SuccessPlans.Features.Flags;

/// <summary>What the nightly check finds (docs/nightly-check.md); the subject is a need, a referral or a plan by kind.</summary>
public enum FlagKind { UnmetNeed, NoResponse, Stalled, ReviewOverdue, IndicatorWithoutPlan, NotImproving }

/// <summary>
/// One open flag per kind and subject. It closes by itself (ResolvedAt) when its condition clears; a coordinator
/// may dismiss it with a reason, which hides it until the condition clears and returns.
/// </summary>
public class Flag : TenantEntity
{
    public FlagKind Kind { get; set; }
    public int SubjectId { get; set; }
    public int StudentId { get; set; }
    public DateOnly FirstSeenOn { get; set; }
    public DateTime? ResolvedAt { get; set; }
    public DateTime? DismissedAt { get; set; }
    public string? DismissedByName { get; set; }
    public string? DismissReason { get; set; }
    public string? Summary { get; set; }
}

public enum DigestKind { Flags, ReferralUpdates }

/// <summary>One digest of each kind per user per day, whatever the number of runs: the unique index makes it so.</summary>
public class DigestSent : TenantEntity
{
    public int UserId { get; set; }
    public DateOnly On { get; set; }
    public DigestKind Kind { get; set; } = DigestKind.Flags;
}

internal sealed class FlagConfiguration : IEntityTypeConfiguration<Flag>
{
    public void Configure(EntityTypeBuilder<Flag> b)
    {
        b.Property(f => f.DismissedByName).HasMaxLength(200);
        b.Property(f => f.DismissReason).HasMaxLength(1000);
        b.Property(f => f.Summary).HasMaxLength(1000);
        b.HasOne<SuccessPlans.Features.Students.Student>().WithMany().HasForeignKey(f => f.StudentId);
        b.HasIndex(f => new { f.TenantId, f.Kind, f.SubjectId }).IsUnique().HasFilter("[ResolvedAt] IS NULL");
        // DismissedAt too: the caseload's open-flags filter asks it of every child it walks, from the index alone (issue 15).
        b.HasIndex(f => new { f.TenantId, f.StudentId, f.ResolvedAt, f.DismissedAt });
        b.HasIndex(f => new { f.TenantId, f.ResolvedAt, f.Kind });
        // Pages read a page of rows by their ids (kept in order, TenantReadCache): with the tenant's filter SQLite without
        // statistics would walk the tenant's rows by TenantId rather than look up the few ids; this index makes each a lookup (issue 15).
        b.HasIndex(f => new { f.TenantId, f.Id }).IsUnique();
    }
}

internal sealed class DigestSentConfiguration : IEntityTypeConfiguration<DigestSent>
{
    public void Configure(EntityTypeBuilder<DigestSent> b) => b.HasIndex(d => new { d.TenantId, d.UserId, d.On, d.Kind }).IsUnique();
}
