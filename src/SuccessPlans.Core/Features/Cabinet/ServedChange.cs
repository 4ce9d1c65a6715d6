using SuccessPlans.Data;
using SuccessPlans.Features.Students;
using SuccessPlans.Tenancy;

namespace SuccessPlans.Features.Cabinet;

/// <summary>
/// A note that a child's served months changed (the child's first service in a month under a referral, a service taken
/// back that leaves a month empty, a rebuild): which child, never what. Appended in the delivery's own save, like
/// <see cref="ServedMonth"/>'s differences, and read by the cabinet's outcomes to work out again only the children that
/// changed since they were last computed, instead of every served child of the tenant (issue 15: 40,000 rollup rows and
/// 64,000 attendance bands at 50,000 students, 40-70 ms). The nightly fold removes the notes older than
/// <see cref="ServedChanges.KeptFor"/>; the outcomes notice the removal and compute everything once.
/// </summary>
public class ServedChange : ITenantOwned
{
    public long Id { get; set; }
    public int TenantId { get; private set; }
    public int StudentId { get; set; }
    public DateTime At { get; set; }
}

internal sealed class ServedChangeConfiguration : IEntityTypeConfiguration<ServedChange>
{
    public void Configure(EntityTypeBuilder<ServedChange> b)
    {
        b.HasOne<Student>().WithMany().HasForeignKey(c => c.StudentId);
        // The outcomes read the tenant's newest id, the count, and the notes after an id: one range of this index.
        b.HasIndex(c => new { c.TenantId, c.Id });
    }
}

public static class ServedChanges
{
    /// <summary>
    /// How long a note is kept: longer than any transaction stays open, so a note committed late (SQL Server hands out
    /// identities before commit) is still there when the outcomes count the notes.
    /// </summary>
    public static readonly TimeSpan KeptFor = TimeSpan.FromDays(1);

    /// <summary>The children of the notes after one id, up to another (public, so its plan and SQL Server translation are tested).</summary>
    public static IQueryable<int> NotedBetween(AppDbContext db, long after, long upTo) =>
        db.ServedChanges.Where(c => c.Id > after && c.Id <= upTo).Select(c => c.StudentId);

    /// <summary>Removes the notes older than <see cref="KeptFor"/> (the nightly fold).</summary>
    public static Task<int> PruneAsync(AppDbContext db, DateTime now, CancellationToken ct)
    {
        var before = now - KeptFor;
        return db.ServedChanges.Where(c => c.At < before).ExecuteDeleteAsync(ct);
    }
}
