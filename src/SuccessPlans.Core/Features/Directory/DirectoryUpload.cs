using SuccessPlans.Tenancy;

namespace SuccessPlans.Features.Directory;

/// <summary>
/// An HSDS package an Admin uploaded, kept (zipped) between the preview and the confirmation; dropped once applied
/// or discarded.
/// </summary>
public class DirectoryUpload : TenantEntity
{
    public DateTime UploadedAt { get; set; }
    public required string UploadedByName { get; set; }
    public required string FileNames { get; set; }
    public byte[]? Package { get; set; }
    public DateTime? AppliedAt { get; set; }
    public string? Result { get; set; }
}

internal sealed class DirectoryUploadConfiguration : IEntityTypeConfiguration<DirectoryUpload>
{
    public void Configure(EntityTypeBuilder<DirectoryUpload> b)
    {
        b.Property(u => u.UploadedByName).HasMaxLength(200);
        b.Property(u => u.FileNames).HasMaxLength(1000);
        b.Property(u => u.Result).HasMaxLength(1000);
        b.HasIndex(u => new { u.TenantId, u.UploadedAt });
    }
}
