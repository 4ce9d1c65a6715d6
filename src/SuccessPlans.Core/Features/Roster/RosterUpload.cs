using SuccessPlans.Tenancy;

namespace SuccessPlans.Features.Roster;

/// <summary>
/// Roster files an Admin uploaded, kept (zipped) between the preview and the confirmation. They hold
/// children's data, so the files are dropped once applied or discarded.
/// </summary>
/// <summary>What an upload holds: a OneRoster roster, or indicator data (attendance, incidents, marks).</summary>
public enum UploadKind { Roster, Indicators }

public class RosterUpload : TenantEntity
{
    public UploadKind Kind { get; set; } = UploadKind.Roster;
    public DateTime UploadedAt { get; set; }
    public required string UploadedByName { get; set; }
    public required string FileNames { get; set; }
    public byte[]? Package { get; set; }
    public DateTime? AppliedAt { get; set; }
    public string? Result { get; set; }

    public static byte[] Pack(IReadOnlyDictionary<string, string> files) => SuccessPlans.Csv.CsvPackage.Zip(files);

    public Dictionary<string, string> Unpack() => SuccessPlans.Csv.CsvPackage.Unzip(Package ?? []);
}

internal sealed class RosterUploadConfiguration : IEntityTypeConfiguration<RosterUpload>
{
    public void Configure(EntityTypeBuilder<RosterUpload> b)
    {
        b.Property(u => u.UploadedByName).HasMaxLength(200);
        b.Property(u => u.FileNames).HasMaxLength(1000);
        b.Property(u => u.Result).HasMaxLength(1000);
        b.HasIndex(u => new { u.TenantId, u.UploadedAt });
    }
}
