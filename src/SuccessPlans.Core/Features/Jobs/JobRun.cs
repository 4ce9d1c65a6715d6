using SuccessPlans.Tenancy;

namespace SuccessPlans.Features.Jobs;

public enum JobRunStatus { Running, Succeeded, Failed }

/// <summary>One run of a tenant's job, shown to that tenant's Admin (the Hangfire dashboard is the operator's).</summary>
public class JobRun : TenantEntity
{
    public required string JobName { get; set; }
    public DateTime StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    public JobRunStatus Status { get; set; } = JobRunStatus.Running;
    public string? Summary { get; set; }
    public string? Error { get; set; }

    /// <summary>"schedule" or the email of the Admin who pressed Run now.</summary>
    public string TriggeredBy { get; set; } = "schedule";
}

internal sealed class JobRunConfiguration : IEntityTypeConfiguration<JobRun>
{
    public void Configure(EntityTypeBuilder<JobRun> b)
    {
        b.Property(r => r.JobName).HasMaxLength(64);
        b.Property(r => r.Summary).HasMaxLength(1000);
        b.Property(r => r.Error).HasMaxLength(2000);
        b.Property(r => r.TriggeredBy).HasMaxLength(256);
        b.HasIndex(r => new { r.TenantId, r.JobName, r.StartedAt });
        b.HasIndex(r => new { r.TenantId, r.StartedAt });
    }
}
