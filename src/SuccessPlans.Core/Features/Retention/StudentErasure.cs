using System.Net;
using SuccessPlans.Data;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Referrals;
using SuccessPlans.Features.Students;

namespace SuccessPlans.Features.Retention;

/// <summary>What an erasure removed, for the Admin's confirmation message.</summary>
public sealed record StudentErased(int StudentId, int ReferralsKept, int EmailsRemoved);

/// <summary>
/// Erases one child's record on request (docs/retention.md). What names or describes the child goes: plans' words,
/// notes, messages, consents, disclosures, flags, roster history, class enrollments, emails naming them, and any roster
/// upload not yet imported. What the cabinet counts stays, without the child: the student row becomes an anonymous
/// placeholder (so "children served" still counts them once), referrals and services delivered keep their school,
/// provider, service, dates and tier, and met or referred needs keep their domain and dates but lose their words.
/// </summary>
public sealed class StudentErasure(AppDbContext db, TimeProvider time)
{
    /// <summary>What an erased child is called from then on, wherever a name is required.</summary>
    public const string PlaceholderGivenName = "Erased";
    public const string PlaceholderFamilyName = "record";

    /// <summary>
    /// Erases the student when <paramref name="confirmation"/> is their full name or their id (the number in the page's
    /// address, or the roster's id). Throws NotFoundException (no such student in this tenant) or ValidationFailedException
    /// (the confirmation does not match); nothing is written then.
    /// </summary>
    public async Task<StudentErased> EraseAsync(int studentId, string? confirmation, Actor actor, string byEmail, CancellationToken ct = default)
    {
        var student = await db.Students.AsNoTracking().SingleOrDefaultAsync(s => s.Id == studentId && s.Status != StudentStatus.Erased, ct)
                      ?? throw new NotFoundException("No such student.");
        if (!Confirms(student, confirmation))
            throw ValidationFailedException.For("Confirmation", $"Type the child's full name ({student.GivenName} {student.FamilyName}) or their id ({student.Id}) to confirm.");

        var now = time.GetUtcNow().UtcDateTime;
        var today = DateOnly.FromDateTime(now);
        var id = student.Id;
        var names = NamesOf(student);
        var result = await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            // Every statement below is limited to this tenant by the tenant query filter.
            var referrals = db.Referrals.Where(r => r.StudentId == id).Select(r => r.Id);
            var plans = db.Plans.Where(p => p.StudentId == id).Select(p => p.Id);

            // Emails that name the child (digests, referral updates): matched on the names as written, plain and in HTML.
            var emails = 0;
            foreach (var name in names)
                emails += await db.Notifications.Where(n => n.Subject.Contains(name) || n.BodyText.Contains(name) || (n.BodyHtml != null && n.BodyHtml.Contains(name)))
                    .ExecuteDeleteAsync(ct);
            // An upload waiting for its confirmation holds the child too, and would bring them back.
            await db.RosterUploads.Where(u => u.Package != null).ExecuteUpdateAsync(s => s
                .SetProperty(u => u.Package, (byte[]?)null)
                .SetProperty(u => u.Result, "Discarded without importing: a child's record was erased.")
                .SetProperty(u => u.Version, Guid.NewGuid()), ct);

            await db.ClassEnrollments.Where(e => e.StudentId == id).ExecuteDeleteAsync(ct);
            await db.StudentEvents.Where(e => e.StudentId == id).ExecuteDeleteAsync(ct);
            await db.CaseNotes.Where(n => n.StudentId == id).ExecuteDeleteAsync(ct);
            await db.Flags.Where(f => f.StudentId == id).ExecuteDeleteAsync(ct);
            await db.Disclosures.Where(d => d.StudentId == id).ExecuteDeleteAsync(ct);
            await db.Reviews.Where(r => r.StudentId == id).ExecuteDeleteAsync(ct);
            // Attendance, incidents and marks describe the child and count for nothing the cabinet keeps.
            await db.AttendanceEvents.Where(e => e.StudentId == id).ExecuteDeleteAsync(ct);
            await db.BehaviorIncidents.Where(e => e.StudentId == id).ExecuteDeleteAsync(ct);
            await db.CourseMarks.Where(e => e.StudentId == id).ExecuteDeleteAsync(ct);
            await db.StudentIndicators.Where(e => e.StudentId == id).ExecuteDeleteAsync(ct);
            await db.ConsentOrganizations.Where(c => db.Consents.Any(x => x.Id == c.ConsentId && x.StudentId == id)).ExecuteDeleteAsync(ct);
            await db.Consents.Where(c => c.StudentId == id).ExecuteDeleteAsync(ct);
            await db.ReferralMessages.Where(m => referrals.Contains(m.ReferralId)).ExecuteDeleteAsync(ct);
            await db.ReferralEvents.Where(e => referrals.Contains(e.ReferralId)).ExecuteDeleteAsync(ct);
            await db.ReferralUpdates.Where(u => referrals.Contains(u.ReferralId)).ExecuteDeleteAsync(ct);
            await db.ServiceDeliveries.Where(d => referrals.Contains(d.ReferralId))
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.Note, (string?)null).SetProperty(d => d.Version, Guid.NewGuid()), ct);

            // Open referrals are withdrawn: the provider can no longer act on a child who is gone. The cabinet's counts do
            // not move (accepted counts answered referrals that were not declined; completed ones are closed already).
            await db.Referrals.Where(r => r.StudentId == id && (r.Status == ReferralStatus.Draft || r.Status == ReferralStatus.Sent
                    || r.Status == ReferralStatus.Accepted || r.Status == ReferralStatus.InService))
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, ReferralStatus.Withdrawn).SetProperty(r => r.ClosedAt, now), ct);
            var kept = await db.Referrals.Where(r => r.StudentId == id).ExecuteUpdateAsync(s => s
                .SetProperty(r => r.SharedChildName, (string?)null).SetProperty(r => r.SharedGrade, (string?)null)
                .SetProperty(r => r.SharedSchool, (string?)null).SetProperty(r => r.SharedGuardianName, (string?)null)
                .SetProperty(r => r.SharedGuardianContact, (string?)null).SetProperty(r => r.SharedNeed, (string?)null)
                .SetProperty(r => r.OverrideReason, (string?)null).SetProperty(r => r.OutcomeNote, (string?)null).SetProperty(r => r.GoalServed, (string?)null)
                .SetProperty(r => r.ConsentId, (int?)null).SetProperty(r => r.Version, Guid.NewGuid()), ct);

            // A goal's points and measure describe the child.
            await db.GoalPoints.Where(g => plans.Contains(g.Need.PlanId)).ExecuteDeleteAsync(ct);
            // Needs the cabinet counts (met) or a referral points to stay, without their words; every other item goes.
            await db.PlanItems.Where(i => plans.Contains(i.PlanId))
                .Where(i => !(i.Kind == PlanItemKind.Need && (i.Status == NeedStatus.Met || db.Referrals.Any(r => r.NeedId == i.Id))))
                .ExecuteDeleteAsync(ct);
            await db.PlanItems.Where(i => plans.Contains(i.PlanId)).ExecuteUpdateAsync(s => s
                .SetProperty(i => i.Description, "(erased)").SetProperty(i => i.Goal, (string?)null)
                .SetProperty(i => i.Measure, (GoalMeasure?)null).SetProperty(i => i.MeasureLabel, (string?)null)
                .SetProperty(i => i.Baseline, (decimal?)null).SetProperty(i => i.Target, (decimal?)null)
                .SetProperty(i => i.BaselineOn, (DateOnly?)null).SetProperty(i => i.TargetOn, (DateOnly?)null).SetProperty(i => i.Version, Guid.NewGuid()), ct);
            await db.Plans.Where(p => p.StudentId == id && p.Status != PlanStatus.Closed)
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.Status, PlanStatus.Closed).SetProperty(p => p.ClosedAt, now), ct);

            // The child's row becomes a placeholder: it still counts once among children served, and names nobody.
            await db.Students.Where(s => s.Id == id).ExecuteUpdateAsync(s => s
                .SetProperty(x => x.GivenName, PlaceholderGivenName).SetProperty(x => x.FamilyName, PlaceholderFamilyName)
                .SetProperty(x => x.PreferredGivenName, (string?)null).SetProperty(x => x.PreferredFamilyName, (string?)null)
                .SetProperty(x => x.Pronouns, (string?)null).SetProperty(x => x.ExternalId, (string?)null).SetProperty(x => x.LocalId, (string?)null)
                .SetProperty(x => x.BirthDate, (DateOnly?)null).SetProperty(x => x.Grade, (string?)null).SetProperty(x => x.HomeLanguage, (string?)null)
                .SetProperty(x => x.GuardianName, (string?)null).SetProperty(x => x.GuardianEmail, (string?)null).SetProperty(x => x.GuardianPhone, (string?)null)
                .SetProperty(x => x.Status, StudentStatus.Erased).SetProperty(x => x.Version, Guid.NewGuid()), ct);

            db.ErasureRecords.Add(new ErasureRecord
            {
                TenantId = student.TenantId, Kind = ErasureKind.Student, SubjectId = id, At = now, ByUserId = actor.UserId, ByEmail = byEmail,
            });
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            return new StudentErased(id, kept, emails);
        });
        await SqliteDisposal.FlushAsync(db, ct);
        return result;
    }

    private static bool Confirms(Student s, string? confirmation)
    {
        var typed = string.Join(' ', (confirmation ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        if (typed.Length == 0) return false;
        return string.Equals(typed, $"{s.GivenName} {s.FamilyName}", StringComparison.OrdinalIgnoreCase)
               || typed == s.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)
               || (s.ExternalId is { Length: > 0 } external && string.Equals(typed, external, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The child's names as the app writes them into emails: given and family, preferred, plain and HTML-encoded.</summary>
    private static List<string> NamesOf(Student s)
    {
        var given = new[] { s.GivenName, s.PreferredGivenName }.Where(n => !string.IsNullOrWhiteSpace(n)).Select(n => n!);
        var family = new[] { s.FamilyName, s.PreferredFamilyName }.Where(n => !string.IsNullOrWhiteSpace(n)).Select(n => n!).ToList();
        var names = given.SelectMany(g => family.Select(f => $"{g} {f}")).ToList();
        return names.Concat(names.Select(WebUtility.HtmlEncode)).Select(n => n!).Distinct().ToList();
    }
}
