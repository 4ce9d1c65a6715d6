using SuccessPlans.Data;
using SuccessPlans.Features.Plans;

namespace SuccessPlans.Features.Schools;

/// <summary>
/// An Admin's school: a name and an optional OneRoster id that no other school of the tenant has (a re-import finds
/// the school by it), never saved over a change made since the Admin read it. The caller has found the school in the
/// tenant (or passes null for a new one) and checked the name's form.
/// </summary>
public sealed class SchoolService(AppDbContext db)
{
    public async Task<School> SaveAsync(School? school, string name, string? externalId, Guid version, CancellationToken ct = default)
    {
        externalId = string.IsNullOrWhiteSpace(externalId) ? null : externalId.Trim();
        var id = school?.Id ?? 0;
        if (externalId is not null && await ExternalIdTakenAsync(id, externalId, ct))
            throw IdTaken();
        if (school is null)
        {
            school = new School { Name = name.Trim(), ExternalId = externalId };
            db.Schools.Add(school);
        }
        else
        {
            // The version the Admin saw: a change made since then is not silently overwritten.
            db.Entry(school).Property(s => s.Version).OriginalValue = version;
            school.Name = name.Trim();
            school.ExternalId = externalId;
        }
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConcurrencyConflictException("Someone else changed this school while you were editing. The form now shows their version; make your change again.");
        }
        catch (DbUpdateException) when (externalId is not null)
        {
            // Another Admin saved a school with this id between the check above and this save: the unique index refused it.
            db.ChangeTracker.Clear();
            if (!await ExternalIdTakenAsync(id, externalId, ct)) throw;
            throw IdTaken();
        }
        return school;
    }

    private Task<bool> ExternalIdTakenAsync(int id, string externalId, CancellationToken ct) =>
        db.Schools.AnyAsync(s => s.ExternalId == externalId && s.Id != id, ct);

    private static ValidationFailedException IdTaken() =>
        ValidationFailedException.For("ExternalId", "Another school already has this OneRoster id.");
}
