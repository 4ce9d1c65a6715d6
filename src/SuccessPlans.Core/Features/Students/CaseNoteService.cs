using SuccessPlans.Data;
using SuccessPlans.Features.Plans;

namespace SuccessPlans.Features.Students;

/// <summary>Case notes: written by coordinators and Admins about a student they may see; never shown to providers or the cabinet.</summary>
public sealed class CaseNoteService(AppDbContext db, TimeProvider time)
{
    /// <summary>Adds a note. The caller has checked that the user may see the student.</summary>
    public async Task<CaseNote> AddAsync(Student student, string? text, Actor actor, CancellationToken ct = default)
    {
        var body = text?.Trim();
        if (string.IsNullOrEmpty(body))
            throw ValidationFailedException.For("Text", "Write the note.");
        if (body.Length > CaseNote.MaxLength)
            throw ValidationFailedException.For("Text", $"The note is longer than {CaseNote.MaxLength:N0} characters.");
        var note = new CaseNote { StudentId = student.Id, AuthorUserId = actor.UserId, AuthorName = actor.Name, Text = body, At = time.GetUtcNow().UtcDateTime };
        db.CaseNotes.Add(note);
        await db.SaveChangesAsync(ct);
        return note;
    }
}
