using SuccessPlans.Data;
using SuccessPlans.Features.Plans;

namespace SuccessPlans.Features.Students;

/// <summary>A guardian's consent as the coordinator writes it down: to services, to sharing with any partner or with the named organizations.</summary>
public sealed record ConsentRequest(string? GuardianName, DateOnly? GivenOn, bool CoversServices, bool SharesWithAnyPartner, IReadOnlyCollection<int>? OrganizationIds, DateOnly? ExpiresOn);

/// <summary>The rules of recording a consent, shared by every page that records one; each change is written to the student's history.</summary>
public sealed class ConsentService(AppDbContext db, PlanService plans, TimeProvider time)
{
    /// <summary>No form lists more organizations than a partnership has; a longer list is a forged post.</summary>
    private const int MaxOrganizations = 1000;

    /// <summary>Records the consent, or throws <see cref="ValidationFailedException"/> (keys: GuardianName, GivenOn, ExpiresOn, OrganizationIds, "") and writes nothing.</summary>
    public async Task<Consent> RecordAsync(Student student, ConsentRequest request, Actor actor, CancellationToken ct = default)
    {
        var errors = new Dictionary<string, CoreMessage[]>();
        void Fail(string field, CoreMessage message) => errors[field] = [.. errors.GetValueOrDefault(field, []), message];

        if (student.Status == StudentStatus.Withdrawn)
            Fail("", "This student has withdrawn; no new consent can be recorded.");
        var guardian = request.GuardianName?.Trim();
        if (string.IsNullOrEmpty(guardian)) Fail("GuardianName", "Give the name of the guardian who gave consent.");
        else if (guardian.Length > 200) Fail("GuardianName", "The guardian's name is at most 200 characters.");
        var today = await plans.TodayAsync(ct);
        if (request.GivenOn is not { } given) Fail("GivenOn", "Give the date the consent was given.");
        else if (given > today) Fail("GivenOn", "The date given cannot be in the future.");
        if (request.ExpiresOn is { } expires && request.GivenOn is { } from && expires < from)
            Fail("ExpiresOn", "The expiry date is before the date given.");

        var orgIds = request.SharesWithAnyPartner ? [] : (request.OrganizationIds ?? []).Distinct().ToList();
        var names = new List<string>();
        if (orgIds.Count > MaxOrganizations)
            Fail("OrganizationIds", "One of the chosen organizations does not exist.");
        else if (orgIds.Count > 0)
        {
            names = await db.ProviderOrganizations.Where(o => orgIds.Contains(o.Id)).OrderBy(o => o.Name).Select(o => o.Name).ToListAsync(ct);
            if (names.Count != orgIds.Count) Fail("OrganizationIds", "One of the chosen organizations does not exist.");
        }
        if (!request.CoversServices && !request.SharesWithAnyPartner && orgIds.Count == 0)
            Fail("", "A consent must cover services or sharing with at least one organization.");
        if (errors.Count > 0) throw new ValidationFailedException(errors);

        var consent = new Consent
        {
            StudentId = student.Id, GuardianName = guardian!, GivenOn = request.GivenOn!.Value, CoversServices = request.CoversServices,
            SharesWithAnyPartner = request.SharesWithAnyPartner, ExpiresOn = request.ExpiresOn, RecordedByUserId = actor.UserId,
            RecordedByName = actor.Name, RecordedAt = time.GetUtcNow().UtcDateTime,
            Organizations = orgIds.Select(o => new ConsentOrganization { OrganizationId = o }).ToList(),
        };
        db.Consents.Add(consent);
        plans.Record(student.Id, actor, "consent recorded",
            FormattableString.Invariant($"{consent.GuardianName}, given {consent.GivenOn:yyyy-MM-dd}; {(consent.CoversServices ? "services; " : "")}") +
            (consent.SharesWithAnyPartner ? "sharing with any partner" : names.Count == 0 ? "no sharing" : "sharing with " + string.Join(", ", names)) +
            (consent.ExpiresOn is { } e ? FormattableString.Invariant($"; expires {e:yyyy-MM-dd}") : ""));
        await db.SaveChangesAsync(ct);
        return consent;
    }

    /// <summary>Revokes a consent of the student (from today); a revoked consent stays on the record. The caller has checked the student.</summary>
    public async Task RevokeAsync(Student student, int consentId, string? reason, Actor actor, CancellationToken ct = default)
    {
        var consent = await db.Consents.SingleOrDefaultAsync(c => c.Id == consentId && c.StudentId == student.Id, ct)
                      ?? throw new NotFoundException("This student has no such consent.");
        if (consent.RevokedOn is not null)
            throw ValidationFailedException.For("ConsentId", "This consent was already revoked.");
        var why = reason?.Trim();
        if (why?.Length > 1000)
            throw ValidationFailedException.For("Reason", "The reason is longer than 1000 characters.");
        consent.RevokedOn = await plans.TodayAsync(ct);
        consent.RevokedReason = string.IsNullOrEmpty(why) ? null : why;
        plans.Record(student.Id, actor, "consent revoked", FormattableString.Invariant($"Consent of {consent.GuardianName} given {consent.GivenOn:yyyy-MM-dd}{(consent.RevokedReason is null ? "" : $": {consent.RevokedReason}")}"));
        await db.SaveChangesAsync(ct);
    }
}
