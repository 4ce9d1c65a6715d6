using SuccessPlans.Tenancy;

namespace SuccessPlans.Features.Students;

/// <summary>A coordinator's or Admin's note on a student. Never shown to providers or the cabinet.</summary>
public class CaseNote : TenantEntity
{
    public const int MaxLength = 4000;

    public int StudentId { get; set; }
    public int? AuthorUserId { get; set; }
    public required string AuthorName { get; set; }
    public required string Text { get; set; }
    public DateTime At { get; set; }
}

internal sealed class CaseNoteConfiguration : IEntityTypeConfiguration<CaseNote>
{
    public void Configure(EntityTypeBuilder<CaseNote> b)
    {
        b.Property(n => n.AuthorName).HasMaxLength(200);
        b.Property(n => n.Text).HasMaxLength(CaseNote.MaxLength);
        b.HasOne<Student>().WithMany().HasForeignKey(n => n.StudentId);
        b.HasIndex(n => new { n.TenantId, n.StudentId, n.At });
    }
}
