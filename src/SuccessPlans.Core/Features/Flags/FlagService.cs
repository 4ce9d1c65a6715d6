using SuccessPlans.Data;
using SuccessPlans.Features.Plans;

namespace SuccessPlans.Features.Flags;

/// <summary>
/// Flags outside the nightly check: they close the moment their cause is acted on (a re-referral closes the
/// unmet-need flag, an answer the no-response flag), and a coordinator may dismiss them with a reason.
/// The nightly check stays the judge of what is open; this only saves the coordinator a night's wait.
/// </summary>
public sealed class FlagService(AppDbContext db, TimeProvider time)
{
    public const int MaxReasonLength = 1000;

    /// <summary>Marks the open flag of this kind and subject resolved, in the caller's unit of work.</summary>
    public async Task ResolveAsync(FlagKind kind, int subjectId, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var open = db.Flags.Local.Where(f => f.Kind == kind && f.SubjectId == subjectId && f.ResolvedAt == null).ToList();
        if (open.Count == 0)
            open = await db.Flags.Where(f => f.Kind == kind && f.SubjectId == subjectId && f.ResolvedAt == null).ToListAsync(ct);
        foreach (var flag in open)
            flag.ResolvedAt = now;
    }

    /// <summary>A need no longer open (met, no longer needed): neither "unmet" nor "not improving" is about it any more.</summary>
    public async Task ResolveClosedNeedAsync(int needId, CancellationToken ct)
    {
        await ResolveAsync(FlagKind.UnmetNeed, needId, ct);
        await ResolveAsync(FlagKind.NotImproving, needId, ct);
    }

    /// <summary>
    /// Dismisses flags with one reason. <paramref name="visibleStudents"/> is the caller's scope (the students the
    /// user may see): a flag outside it is treated as not existing. All or nothing.
    /// </summary>
    public async Task<int> DismissAsync(IReadOnlyCollection<int> flagIds, string? reason, IQueryable<int> visibleStudents, Actor actor, CancellationToken ct)
    {
        var why = reason?.Trim();
        if (flagIds.Count == 0)
            throw ValidationFailedException.For("FlagIds", "Choose at least one flag to dismiss.");
        if (string.IsNullOrEmpty(why))
            throw ValidationFailedException.For("Reason", "Say why you dismiss the flag.");
        if (why.Length > MaxReasonLength)
            throw ValidationFailedException.For("Reason", $"The reason is longer than {MaxReasonLength} characters.");
        var ids = flagIds.Distinct().ToList();
        var flags = await db.Flags.Where(f => ids.Contains(f.Id) && f.ResolvedAt == null && f.DismissedAt == null && visibleStudents.Contains(f.StudentId)).ToListAsync(ct);
        if (flags.Count != ids.Count)
            throw new NotFoundException("Some of these flags are closed already or not yours to dismiss; nothing was dismissed.");
        var now = time.GetUtcNow().UtcDateTime;
        foreach (var flag in flags)
        {
            flag.DismissedAt = now;
            flag.DismissedByName = actor.Name;
            flag.DismissReason = why;
            db.StudentEvents.Add(new Students.StudentEvent { StudentId = flag.StudentId, At = now, UserId = actor.UserId, UserName = actor.Name, Action = "flag dismissed", Details = $"{Labels.English(() => Labels.Words(flag.Kind))}: {why}" });
        }
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConcurrencyConflictException("Someone else changed these flags a moment ago; nothing was dismissed.");
        }
        return flags.Count;
    }
}
