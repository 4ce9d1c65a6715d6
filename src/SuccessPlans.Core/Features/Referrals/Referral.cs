using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Students;
using SuccessPlans.Tenancy;

namespace SuccessPlans.Features.Referrals;

/// <summary>The referral lifecycle (docs/referral-lifecycle.md); each maps onto a FHIR Task status.</summary>
public enum ReferralStatus { Draft, Sent, Accepted, InService, Completed, ClosedUnsuccessful, Declined, Withdrawn, Expired }

/// <summary>
/// How a referral ended, from one vocabulary for declines and closings (after findhelp's outcome statuses and
/// the Gravity Project's). Only <see cref="GotHelp"/> is a success: it proposes "need met" to the coordinator.
/// </summary>
public enum ReferralOutcome { GotHelp, CouldNotContact, FamilyDeclined, NotEligible, NoCapacity, ReferredElsewhere, CouldNotGetHelp }

public static class ReferralOutcomes
{
    /// <summary>What a provider may answer when declining or closing without success.</summary>
    public static readonly ReferralOutcome[] Unsuccessful =
        [ReferralOutcome.CouldNotContact, ReferralOutcome.FamilyDeclined, ReferralOutcome.NotEligible, ReferralOutcome.NoCapacity, ReferralOutcome.ReferredElsewhere, ReferralOutcome.CouldNotGetHelp];

    /// <summary>Parses a value the way the pages and the API send it; null when it is not one of the vocabulary.</summary>
    public static ReferralOutcome? Parse(string? value) =>
        Enum.TryParse<ReferralOutcome>(value, ignoreCase: true, out var o) && Enum.IsDefined(o) && !int.TryParse(value, out _) ? o : null;
}

public enum DeliveryUnit { Sessions, Minutes }

/// <summary>
/// A child referred to a provider's service for one need. What was shared with the provider is copied
/// onto the referral when it is sent: the provider reads these fields and never the student's record.
/// </summary>
public class Referral : TenantEntity
{
    public int StudentId { get; set; }
    public Student Student { get; set; } = null!;
    public int NeedId { get; set; }
    public PlanItem Need { get; set; } = null!;
    public int ServiceId { get; set; }
    public Service Service { get; set; } = null!;
    public int OrganizationId { get; set; }
    public ProviderOrganization Organization { get; set; } = null!;

    // What the cabinet counts by, fixed when the referral is sent: the school the child attended, the
    // need's domain and the service's tier. A later move or directory edit does not rewrite past counts.
    // SchoolId is a copied value like the shared fields, so it has no foreign key (and SQLite adds it in place).
    public int SchoolId { get; set; }
    public Domain Domain { get; set; }
    public ServiceTier? Tier { get; set; }

    public ReferralStatus Status { get; set; } = ReferralStatus.Draft;
    public int? SentByUserId { get; set; }
    public required string SentByName { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? SentAt { get; set; }
    public DateTime? AnsweredAt { get; set; }
    public DateTime? FirstServiceAt { get; set; }

    /// <summary>The earliest delivery date recorded, and the days from the (local) sending date to it.</summary>
    public DateOnly? FirstServiceOn { get; set; }
    public int? DaysToFirstService { get; set; }
    public DateTime? ClosedAt { get; set; }

    // The minimum shared with the provider (docs/domain.md), frozen at sending.
    public string? SharedChildName { get; set; }
    public string? SharedGrade { get; set; }
    public string? SharedSchool { get; set; }
    public string? SharedGuardianName { get; set; }
    public string? SharedGuardianContact { get; set; }
    public string? SharedNeed { get; set; }

    /// <summary>The basis of the share: a consent in force, or an Admin's override with a written reason.</summary>
    public int? ConsentId { get; set; }
    public string? OverrideReason { get; set; }

    /// <summary>How it ended (declined, completed or closed), with the provider's note.</summary>
    public ReferralOutcome? Outcome { get; set; }
    public string? OutcomeNote { get; set; }
    /// <summary>The goal a successful referral served, as the need said it when the outcome was recorded.</summary>
    public string? GoalServed { get; set; }

    public List<ReferralEvent> Events { get; set; } = [];
    public List<ServiceDelivery> Deliveries { get; set; } = [];
    public List<ReferralMessage> Messages { get; set; } = [];

    public bool IsOpen => Status is ReferralStatus.Sent or ReferralStatus.Accepted or ReferralStatus.InService;

    /// <summary>The provider reports the goal met: the need waits for the coordinator to confirm it met.</summary>
    public bool IsSuccess => Status == ReferralStatus.Completed && Outcome == ReferralOutcome.GotHelp;
}

public enum MessageSide { School, Provider }

/// <summary>
/// A message on a referral between the referring school's coordinators and the provider organization's users.
/// Only those two parties (and the tenant's Admins) read it; it never carries more than the referral shared.
/// </summary>
public class ReferralMessage : TenantEntity
{
    public int ReferralId { get; set; }
    public MessageSide Side { get; set; }
    public int? AuthorUserId { get; set; }
    public required string AuthorName { get; set; }
    public required string Text { get; set; }
    public DateTime At { get; set; }
    public const int MaxLength = 4000;
}

/// <summary>One transition of a referral: who moved it, from what to what, when.</summary>
public class ReferralEvent : TenantEntity
{
    public int ReferralId { get; set; }
    public ReferralStatus? From { get; set; }
    public ReferralStatus To { get; set; }
    public DateTime At { get; set; }
    public int? UserId { get; set; }
    public required string UserName { get; set; }
    public string? Note { get; set; }
}

/// <summary>Services delivered under a referral: what the cabinet counts.</summary>
public class ServiceDelivery : TenantEntity
{
    public int ReferralId { get; set; }
    public Referral Referral { get; set; } = null!;
    public DateOnly DeliveredOn { get; set; }
    public int Amount { get; set; }
    public DeliveryUnit Unit { get; set; } = DeliveryUnit.Sessions;
    public required string DeliveredBy { get; set; }
    public string? Note { get; set; }
    public DateTime RecordedAt { get; set; }

    /// <summary>"1 session", "45 minutes".</summary>
    public string AmountText => $"{Amount} {(Unit == DeliveryUnit.Sessions ? "session" : "minute")}{(Amount == 1 ? "" : "s")}";
}

/// <summary>
/// FERPA 34 CFR 99.32: every disclosure of a child's personal data to a provider organization, kept with
/// the student's record: who received what, on what basis, when, and who sent it.
/// </summary>
public class Disclosure : TenantEntity
{
    public int StudentId { get; set; }
    public int OrganizationId { get; set; }
    public ProviderOrganization Organization { get; set; } = null!;
    public int? ReferralId { get; set; }
    public required string FieldsShared { get; set; }
    public int? ConsentId { get; set; }
    public string? OverrideReason { get; set; }
    public DateTime At { get; set; }
    public int? ByUserId { get; set; }
    public required string ByName { get; set; }
}

internal sealed class ReferralConfiguration : IEntityTypeConfiguration<Referral>
{
    public void Configure(EntityTypeBuilder<Referral> b)
    {
        b.Property(r => r.SentByName).HasMaxLength(200);
        b.Property(r => r.SharedChildName).HasMaxLength(200);
        b.Property(r => r.SharedGrade).HasMaxLength(8);
        b.Property(r => r.SharedSchool).HasMaxLength(200);
        b.Property(r => r.SharedGuardianName).HasMaxLength(200);
        b.Property(r => r.SharedGuardianContact).HasMaxLength(300);
        b.Property(r => r.SharedNeed).HasMaxLength(1000);
        b.Property(r => r.OverrideReason).HasMaxLength(1000);
        b.Property(r => r.OutcomeNote).HasMaxLength(1000);
        b.Property(r => r.GoalServed).HasMaxLength(1000);
        b.HasOne(r => r.Student).WithMany().HasForeignKey(r => r.StudentId);
        b.HasOne(r => r.Need).WithMany().HasForeignKey(r => r.NeedId);
        // Keeps the need's ReferralState with every write (migration NightlyIncremental); declared so that EF's SQL Server
        // statements do without OUTPUT, which a table with a trigger refuses.
        b.ToTable(t => t.HasTrigger("TR_Referrals_NeedState"));
        b.HasOne(r => r.Service).WithMany().HasForeignKey(r => r.ServiceId);
        b.HasOne(r => r.Organization).WithMany().HasForeignKey(r => r.OrganizationId);
        // The provider portal lists an organization's referrals by status; the student page by student.
        b.HasIndex(r => new { r.TenantId, r.OrganizationId, r.Status, r.SentAt });
        b.HasIndex(r => new { r.TenantId, r.StudentId, r.CreatedAt });
        b.HasIndex(r => new { r.TenantId, r.NeedId, r.Status });
        // The cabinet's referral counts and median days to first service read a period of these.
        b.HasIndex(r => new { r.TenantId, r.SentAt, r.StudentId, r.Status, r.AnsweredAt });
        b.HasIndex(r => new { r.TenantId, r.FirstServiceOn, r.DaysToFirstService, r.StudentId });
        // No index by sender: nothing reads referrals by SentByUserId since the worklist reads by school, and every status
        // write kept it up to date (the nightly check measured the same without it: migration NoReferralsBySender).
        // Pages read a page of rows by their ids (kept in order, TenantReadCache): with the tenant's filter SQLite without
        // statistics would walk the tenant's rows by TenantId rather than look up the few ids; this index makes each a lookup (issue 15).
        b.HasIndex(r => new { r.TenantId, r.Id }).IsUnique();
    }
}

internal sealed class ReferralMessageConfiguration : IEntityTypeConfiguration<ReferralMessage>
{
    public void Configure(EntityTypeBuilder<ReferralMessage> b)
    {
        b.Property(m => m.AuthorName).HasMaxLength(200);
        b.Property(m => m.Text).HasMaxLength(ReferralMessage.MaxLength);
        b.HasOne<Referral>().WithMany(r => r.Messages).HasForeignKey(m => m.ReferralId);
        b.HasIndex(m => new { m.TenantId, m.ReferralId, m.At });
    }
}

internal sealed class ReferralEventConfiguration : IEntityTypeConfiguration<ReferralEvent>
{
    public void Configure(EntityTypeBuilder<ReferralEvent> b)
    {
        b.Property(e => e.UserName).HasMaxLength(200);
        b.Property(e => e.Note).HasMaxLength(1000);
        b.HasOne<Referral>().WithMany(r => r.Events).HasForeignKey(e => e.ReferralId);
        b.HasIndex(e => new { e.TenantId, e.ReferralId, e.At });
    }
}

internal sealed class ServiceDeliveryConfiguration : IEntityTypeConfiguration<ServiceDelivery>
{
    public void Configure(EntityTypeBuilder<ServiceDelivery> b)
    {
        b.Property(d => d.DeliveredBy).HasMaxLength(200);
        b.Property(d => d.Note).HasMaxLength(1000);
        b.HasOne(d => d.Referral).WithMany(r => r.Deliveries).HasForeignKey(d => d.ReferralId);
        b.HasIndex(d => new { d.TenantId, d.ReferralId, d.DeliveredOn });
        // The cabinet reads the deliveries of partial months by date, grouped by referral.
        b.HasIndex(d => new { d.TenantId, d.DeliveredOn, d.ReferralId });
    }
}

internal sealed class DisclosureConfiguration : IEntityTypeConfiguration<Disclosure>
{
    public void Configure(EntityTypeBuilder<Disclosure> b)
    {
        b.Property(d => d.FieldsShared).HasMaxLength(500);
        b.Property(d => d.OverrideReason).HasMaxLength(1000);
        b.Property(d => d.ByName).HasMaxLength(200);
        b.HasOne<Student>().WithMany().HasForeignKey(d => d.StudentId);
        b.HasOne(d => d.Organization).WithMany().HasForeignKey(d => d.OrganizationId);
        b.HasOne<Referral>().WithMany().HasForeignKey(d => d.ReferralId);
        b.HasIndex(d => new { d.TenantId, d.StudentId, d.At });
    }
}
