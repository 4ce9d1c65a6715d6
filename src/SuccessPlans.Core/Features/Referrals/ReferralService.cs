using SuccessPlans.Data;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Notifications;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Students;
using SuccessPlans.Features.Users;

namespace SuccessPlans.Features.Referrals;

/// <summary>A state change the lifecycle does not allow; nothing was changed.</summary>
public sealed class IllegalTransitionException(string message) : Exception(message);

public sealed record ServiceMatch(int ServiceId, string Service, string Organization, int OrganizationId, string? Description, ServiceTier? Tier,
    int? MinimumAge, int? MaximumAge, string? Languages, int? Capacity, IReadOnlyList<string> Where);

public sealed record SharedField(string Label, string? Value);

/// <summary>
/// The closed loop: finding a service for a need, sending (consent-gated, logged as a disclosure, the provider
/// told by email), the provider's answer, services delivered, and closing. Only DOMAIN.md's transitions are
/// allowed; each is recorded with who and when.
/// </summary>
public sealed class ReferralService(AppDbContext db, PlanService plans, Outbox outbox, TimeProvider time, PublicUrls urls)
{
    private static readonly Dictionary<ReferralStatus, ReferralStatus[]> Allowed = new()
    {
        [ReferralStatus.Draft] = [ReferralStatus.Sent],
        [ReferralStatus.Sent] = [ReferralStatus.Accepted, ReferralStatus.Declined, ReferralStatus.Withdrawn, ReferralStatus.Expired],
        [ReferralStatus.Accepted] = [ReferralStatus.InService, ReferralStatus.ClosedUnsuccessful, ReferralStatus.Withdrawn],
        [ReferralStatus.InService] = [ReferralStatus.Completed, ReferralStatus.ClosedUnsuccessful],
    };

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>Services that fit the need: same domain, active, the child's age in range, the home language offered; room first.</summary>
    public async Task<IReadOnlyList<ServiceMatch>> FindServicesAsync(Student student, PlanItem need, CancellationToken ct = default)
    {
        var today = await plans.TodayAsync(ct);
        int? age = student.BirthDate is { } b ? today.Year - b.Year - (today < b.AddYears(today.Year - b.Year) ? 1 : 0) : null;
        var language = student.HomeLanguage is { Length: > 0 } l ? $" {l.ToLowerInvariant()} " : null;
        var query = db.Services.Where(s => s.Status == "active" && s.Domain == need.Domain);
        if (age is { } a)
            query = query.Where(s => (s.MinimumAge == null || s.MinimumAge <= a) && (s.MaximumAge == null || s.MaximumAge >= a));
        if (language is not null)
            query = query.Where(s => s.Languages == null || (" " + s.Languages + " ").Contains(language));
        return await query
            .OrderBy(s => s.Capacity == null ? 1 : s.Capacity > 0 ? 0 : 2)
            .ThenByDescending(s => s.Capacity)
            .ThenBy(s => s.Name)
            .Select(s => new ServiceMatch(s.Id, s.Name, s.Organization.Name, s.OrganizationId, s.Description, s.Tier, s.MinimumAge, s.MaximumAge, s.Languages, s.Capacity,
                s.Locations.Select(l => l.Location.Name + (l.Location.City == null ? "" : ", " + l.Location.City)).ToList()))
            .ToListAsync(ct);
    }

    /// <summary>Exactly what a provider will see of the child: the minimum of DOMAIN.md.</summary>
    public static IReadOnlyList<SharedField> SharedFields(Student student, PlanItem need) =>
    [
        new("Child's name", $"{student.GivenName} {student.FamilyName}"),
        new("Grade", student.Grade),
        new("School", student.School?.Name),
        new("Guardian", student.GuardianName),
        new("Guardian contact", GuardianContact(student)),
        new("Need", need.Description),
    ];

    private static string? GuardianContact(Student s) =>
        string.Join(" · ", new[] { s.GuardianPhone, s.GuardianEmail }.Where(v => !string.IsNullOrWhiteSpace(v))) is { Length: > 0 } c ? c : null;

    /// <summary>The consent in force that lets the child's data go to this organization, if any.</summary>
    public async Task<Consent?> ConsentForAsync(int studentId, int organizationId, CancellationToken ct = default)
    {
        var today = await plans.TodayAsync(ct);
        var consents = await db.Consents.Include(c => c.Organizations).Where(c => c.StudentId == studentId && c.RevokedOn == null).ToListAsync(ct);
        return consents.Where(c => c.AllowsSharingWith(organizationId, today)).OrderByDescending(c => c.GivenOn).FirstOrDefault();
    }

    /// <summary>Sends a referral: needs a consent in force for the organization, or an Admin's override with a written reason.</summary>
    public async Task<Referral> SendAsync(Student student, int needId, int serviceId, Actor actor, bool actorIsAdmin, string? overrideReason, CancellationToken ct = default)
    {
        if (student.Status != StudentStatus.Active)
            throw ValidationFailedException.For("Student", "This student has withdrawn; no referral can be sent.");
        var need = await db.PlanItems.Include(i => i.Plan).SingleOrDefaultAsync(i => i.Id == needId && i.Plan.StudentId == student.Id && i.Kind == PlanItemKind.Need, ct)
                   ?? throw ValidationFailedException.For("NeedId", "This student has no such need.");
        if (need.Status != NeedStatus.Open || need.Plan.Status == PlanStatus.Closed)
            throw ValidationFailedException.For("NeedId", "Only an open need of an open plan can be referred.");
        var service = await db.Services.Include(s => s.Organization).SingleOrDefaultAsync(s => s.Id == serviceId, ct)
                      ?? throw ValidationFailedException.For("ServiceId", "There is no such service.");
        if (service.Status != "active")
            throw ValidationFailedException.For("ServiceId", "This service is not active.");
        if (await db.Referrals.AnyAsync(r => r.NeedId == needId && r.ServiceId == serviceId
                && (r.Status == ReferralStatus.Sent || r.Status == ReferralStatus.Accepted || r.Status == ReferralStatus.InService), ct))
            throw ValidationFailedException.For("ServiceId", "This need already has an open referral to this service.");

        var consent = await ConsentForAsync(student.Id, service.OrganizationId, ct);
        string? reason = null;
        if (consent is null)
        {
            if (!actorIsAdmin)
                throw ValidationFailedException.For("Consent", $"No consent in force lets {student.GivenName}'s data be shared with {service.Organization.Name}. Record the guardian's consent first, or ask an Admin.");
            reason = overrideReason?.Trim();
            if (reason is not { Length: >= 10 })
                throw ValidationFailedException.For("OverrideReason", "Without a consent in force, an Admin must write the reason for sharing (at least 10 characters).");
        }

        await db.Entry(student).Reference(s => s.School).LoadAsync(ct);
        var shared = SharedFields(student, need);
        var referral = new Referral
        {
            StudentId = student.Id, NeedId = need.Id, ServiceId = service.Id, OrganizationId = service.OrganizationId,
            SchoolId = student.SchoolId, Domain = need.Domain, Tier = service.Tier,
            Status = ReferralStatus.Sent, SentByUserId = actor.UserId, SentByName = actor.Name, CreatedAt = Now, SentAt = Now,
            SharedChildName = shared[0].Value, SharedGrade = shared[1].Value, SharedSchool = shared[2].Value,
            SharedGuardianName = shared[3].Value, SharedGuardianContact = shared[4].Value, SharedNeed = shared[5].Value,
            ConsentId = consent?.Id, OverrideReason = reason,
        };
        referral.Events.Add(new ReferralEvent { From = null, To = ReferralStatus.Sent, At = Now, UserId = actor.UserId, UserName = actor.Name, Note = reason is null ? null : $"Admin override: {reason}" });
        db.Referrals.Add(referral);
        await db.SaveChangesAsync(ct);

        db.Disclosures.Add(new Disclosure
        {
            StudentId = student.Id, OrganizationId = service.OrganizationId, ReferralId = referral.Id,
            FieldsShared = string.Join(", ", shared.Where(f => f.Value is not null).Select(f => f.Label)),
            ConsentId = consent?.Id, OverrideReason = reason, At = Now, ByUserId = actor.UserId, ByName = actor.Name,
        });
        plans.Record(student.Id, actor, "referral sent", $"{service.Name} ({service.Organization.Name}) for the need: {need.Description}" +
            (consent is null ? $" (Admin override: {reason})" : $" (consent of {consent.GuardianName}, {consent.GivenOn:yyyy-MM-dd})"));
        await NotifyOrganizationAsync(service.Organization, referral, service.Name, ct);
        await db.SaveChangesAsync(ct);
        return referral;
    }

    /// <summary>The provider is told that a referral waits, without the child's data in the email.</summary>
    private async Task NotifyOrganizationAsync(ProviderOrganization org, Referral referral, string serviceName, CancellationToken ct)
    {
        var recipients = await db.Users.Where(u => u.Role == UserRole.Provider && u.ProviderOrganizationId == org.Id && u.Email != null)
            .Select(u => new { u.Email, u.DisplayName, u.Id }).ToListAsync(ct);
        var link = urls.ProviderReferral(referral.Id);
        var text = $"A new referral to {serviceName} is waiting for your answer in SuccessPlans:\n\n{link}\n\nThe child's details are in the app, not in this email.";
        if (org.Email is { Length: > 0 } orgEmail && recipients.All(r => !string.Equals(r.Email, orgEmail, StringComparison.OrdinalIgnoreCase)))
            outbox.Enqueue("referral", orgEmail, org.Name, $"New referral to {serviceName}", text);
        foreach (var r in recipients)
            outbox.Enqueue("referral", r.Email!, r.DisplayName, $"New referral to {serviceName}", text, recipientUserId: r.Id);
    }

    public Task AcceptAsync(Referral r, Actor actor, Guid? version, CancellationToken ct = default) =>
        MoveAsync(r, ReferralStatus.Accepted, actor, version, null, ct, () => r.AnsweredAt = Now);

    public Task DeclineAsync(Referral r, DeclineReason? reason, string? note, Actor actor, Guid? version, CancellationToken ct = default)
    {
        if (reason is not { } why || !Enum.IsDefined(why))
            throw ValidationFailedException.For("Reason", "Choose a reason: not eligible, no capacity or other.");
        if (why == Referrals.DeclineReason.Other && string.IsNullOrWhiteSpace(note))
            throw ValidationFailedException.For("Note", "Say why in a note when the reason is other.");
        return MoveAsync(r, ReferralStatus.Declined, actor, version, Note(why.ToString(), note), ct, () =>
        {
            r.DeclineReason = why;
            r.AnswerNote = Trim(note);
            r.AnsweredAt = Now;
            r.ClosedAt = Now;
        });
    }

    public Task WithdrawAsync(Referral r, string? note, Actor actor, Guid? version, CancellationToken ct = default) =>
        MoveAsync(r, ReferralStatus.Withdrawn, actor, version, Trim(note), ct, () => r.ClosedAt = Now);

    public Task CompleteAsync(Referral r, string? outcome, Actor actor, Guid? version, CancellationToken ct = default) =>
        MoveAsync(r, ReferralStatus.Completed, actor, version, Trim(outcome), ct, () =>
        {
            r.Outcome = Trim(outcome);
            r.ClosedAt = Now;
        });

    public Task CloseUnsuccessfulAsync(Referral r, UnsuccessfulReason? reason, string? note, Actor actor, Guid? version, CancellationToken ct = default)
    {
        if (reason is not { } why || !Enum.IsDefined(why))
            throw ValidationFailedException.For("Reason", "Choose a reason: could not contact, no longer interested or other.");
        return MoveAsync(r, ReferralStatus.ClosedUnsuccessful, actor, version, Note(why.ToString(), note), ct, () =>
        {
            r.UnsuccessfulReason = why;
            r.Outcome = Trim(note);
            r.ClosedAt = Now;
        });
    }

    /// <summary>Records services delivered; the first delivery moves an accepted referral into service.</summary>
    public async Task<ServiceDelivery> RecordDeliveryAsync(Referral r, DateOnly? on, int? amount, DeliveryUnit? unit, string? note, Actor actor, Guid? version, CancellationToken ct = default)
    {
        if (r.Status is not (ReferralStatus.Accepted or ReferralStatus.InService))
            throw new IllegalTransitionException($"Services can be recorded only on an accepted referral or one in service; this one is {Words(r.Status)}.");
        var errors = new Dictionary<string, string[]>();
        var today = await plans.TodayAsync(ct);
        if (on is not { } date) errors["DeliveredOn"] = ["Give the date the service was delivered."];
        else if (date > today) errors["DeliveredOn"] = ["The date cannot be in the future."];
        if (amount is not (> 0 and <= 10_000)) errors["Amount"] = ["Give the amount: a number of sessions or minutes from 1 to 10,000."];
        if (unit is { } u && !Enum.IsDefined(u)) errors["Unit"] = ["Choose sessions or minutes."];
        if (note?.Length > 1000) errors["Note"] = ["The note is longer than 1000 characters."];
        if (errors.Count > 0) throw new ValidationFailedException(errors);

        CheckVersion(r, version);
        var delivery = new ServiceDelivery { Referral = r, DeliveredOn = on!.Value, Amount = amount!.Value, Unit = unit ?? DeliveryUnit.Sessions, DeliveredBy = actor.Name, Note = Trim(note), RecordedAt = Now };
        db.ServiceDeliveries.Add(delivery);
        if (r.Status == ReferralStatus.Accepted)
        {
            r.Events.Add(new ReferralEvent { From = r.Status, To = ReferralStatus.InService, At = Now, UserId = actor.UserId, UserName = actor.Name });
            r.Status = ReferralStatus.InService;
        }
        r.FirstServiceAt ??= Now;
        if (r.FirstServiceOn is not { } first || delivery.DeliveredOn < first)
        {
            r.FirstServiceOn = delivery.DeliveredOn;
            var sentOn = await plans.LocalDateAsync(r.SentAt ?? r.CreatedAt, ct);
            r.DaysToFirstService = Math.Max(0, delivery.DeliveredOn.DayNumber - sentOn.DayNumber);
        }
        await SuccessPlans.Features.Cabinet.DeliveryRollup.CountAsync(db, r, delivery.DeliveredOn, ct);
        db.Entry(r).Property(x => x.FirstServiceAt).IsModified = true; // the referral row's version moves with every delivery
        await SaveAsync(ct);
        return delivery;
    }

    private async Task MoveAsync(Referral r, ReferralStatus to, Actor actor, Guid? version, string? note, CancellationToken ct, Action apply)
    {
        if (!Allowed.TryGetValue(r.Status, out var next) || !next.Contains(to))
            throw new IllegalTransitionException(r.Status == to
                ? $"This referral is already {Words(to)}."
                : $"A referral that is {Words(r.Status)} cannot become {Words(to)}.");
        CheckVersion(r, version);
        r.Events.Add(new ReferralEvent { From = r.Status, To = to, At = Now, UserId = actor.UserId, UserName = actor.Name, Note = note });
        r.Status = to;
        apply();
        plans.Record(r.StudentId, actor, $"referral {Words(to)}", $"Referral #{r.Id}{(note is null ? "" : $": {note}")}");
        await SaveAsync(ct);
    }

    public static string Words(ReferralStatus s) => s switch
    {
        ReferralStatus.InService => "in service",
        ReferralStatus.ClosedUnsuccessful => "closed unsuccessfully",
        _ => s.ToString().ToLowerInvariant(),
    };

    private void CheckVersion(Referral r, Guid? seen)
    {
        if (seen is { } v && v != r.Version)
            throw new ConcurrencyConflictException("Someone else answered or changed this referral a moment ago. The page now shows where it stands.");
        if (seen is { } version)
            db.Entry(r).Property(x => x.Version).OriginalValue = version;
    }

    private async Task SaveAsync(CancellationToken ct)
    {
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConcurrencyConflictException("Someone else answered or changed this referral a moment ago. The page now shows where it stands.");
        }
    }

    private static string? Trim(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim().Length > 1000 ? s.Trim()[..1000] : s.Trim();
    private static string Note(string reason, string? note) => Trim(note) is { } n ? $"{reason}: {n}" : reason;
}
