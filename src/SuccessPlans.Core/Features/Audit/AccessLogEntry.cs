using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SuccessPlans.Tenancy;

namespace SuccessPlans.Features.Audit;

/// <summary>What was done with a child's data; see docs/access-log.md.</summary>
public enum AccessAction
{
    ViewStudent,
    ViewPlan,
    ViewReferral,
    ApiRead,
    ExportCsv,
    DigestEmail,
    ViewAccessReport,
    Erasure,
}

/// <summary>
/// One view or export of a child's data: who, what, when, from where, under which role. Append-only: SaveChanges
/// refuses to change or delete one, and a trigger refuses UPDATE in the database. Deleting stays possible for
/// retention and tenant erasure (ExecuteDelete), which is why there is no delete trigger. Never holds a child's name.
/// </summary>
public class AccessLogEntry : ITenantOwned
{
    public long Id { get; set; }
    public int TenantId { get; private set; }
    public DateTime At { get; set; }

    /// <summary>The signed-in user; null for the system (a job) or a provider's API key.</summary>
    public int? UserId { get; set; }

    /// <summary>The user's name at the time (or the API key's, or "SuccessPlans" for a job): the log reads on its own.</summary>
    public required string ActorName { get; set; }

    /// <summary>The role the access was made under, at the time: Admin, Coordinator, Provider, ... or System.</summary>
    public required string Role { get; set; }

    /// <summary>A provider's organization, so a guardian's report can say which organization saw the record.</summary>
    public int? OrganizationId { get; set; }

    public AccessAction Action { get; set; }

    /// <summary>The child whose data was seen; null for an export that names no child.</summary>
    public int? StudentId { get; set; }
    public int? PlanId { get; set; }
    public int? ReferralId { get; set; }

    /// <summary>The page, endpoint or email, e.g. "GET /Students/12" or "digest email to 3 flags".</summary>
    public string? Path { get; set; }

    /// <summary>The client address (behind the proxy: the forwarded one, from a known proxy only).</summary>
    public string? IpAddress { get; set; }

    public const string SystemRole = "System";
}

internal sealed class AccessLogEntryConfiguration : Microsoft.EntityFrameworkCore.IEntityTypeConfiguration<AccessLogEntry>
{
    public void Configure(EntityTypeBuilder<AccessLogEntry> b)
    {
        b.ToTable("AccessLogEntries");
        b.Property(e => e.ActorName).HasMaxLength(200);
        b.Property(e => e.Role).HasMaxLength(32);
        b.Property(e => e.Path).HasMaxLength(400);
        b.Property(e => e.IpAddress).HasMaxLength(45);
        // No foreign keys to students, users or referrals: the log outlives what it points at, and erasing a child
        // or a user must not be blocked by (nor cascade into) the record of who saw them.
        // The audit page lists a tenant newest first, by child, and by user.
        b.HasIndex(e => new { e.TenantId, e.At });
        b.HasIndex(e => new { e.TenantId, e.StudentId, e.At });
        b.HasIndex(e => new { e.TenantId, e.UserId, e.At });
    }
}
