using SuccessPlans.Data;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Flags;
using SuccessPlans.Features.Notifications;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Students;
using SuccessPlans.Features.Users;

namespace SuccessPlans.Features.Referrals;

/// <summary>A state change the lifecycle does not allow; nothing was changed.</summary>
public sealed class IllegalTransitionException(CoreMessage message) : CoreException(message);

public sealed record SharedField(string Label, string? Value);

/// <summary>
/// The closed loop: sending (consent-gated, logged as a disclosure, the provider told by email; finding the
/// service is <see cref="ServiceMatcher"/>'s), the provider's answer with an outcome, services delivered, messages, and closing. Only the
/// transitions of docs/referral-lifecycle.md are allowed; each is recorded with who and when, and the other
/// party is told (a <see cref="ReferralUpdate"/>). Acting on a referral closes the flag it answers at once.
/// </summary>
public sealed class ReferralService(AppDbContext db, PlanService plans, FlagService flags, Outbox outbox, TimeProvider time, PublicUrls urls)
{
    private static readonly Dictionary<ReferralStatus, ReferralStatus[]> Allowed = new()
    {
        [ReferralStatus.Draft] = [ReferralStatus.Sent],
        [ReferralStatus.Sent] = [ReferralStatus.Accepted, ReferralStatus.Declined, ReferralStatus.Withdrawn, ReferralStatus.Expired],
        [ReferralStatus.Accepted] = [ReferralStatus.InService, ReferralStatus.ClosedUnsuccessful, ReferralStatus.Withdrawn],
        [ReferralStatus.InService] = [ReferralStatus.Completed, ReferralStatus.ClosedUnsuccessful],
    };

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>Exactly what a provider will see of the child: the minimum of docs/domain.md.</summary>
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
        // A re-referral answers the unmet-need flag now, not at the next night.
        await flags.ResolveAsync(FlagKind.UnmetNeed, need.Id, ct);
        plans.Record(student.Id, actor, "referral sent", $"{service.Name} ({service.Organization.Name}) for the need: {need.Description}" +
            (consent is null ? $" (Admin override: {reason})" : FormattableString.Invariant($" (consent of {consent.GuardianName}, {consent.GivenOn:yyyy-MM-dd})")));
        await NotifyOrganizationAsync(service.Organization, referral, service.Name, ct);
        await db.SaveChangesAsync(ct);
        return referral;
    }

    /// <summary>The provider is told that a referral waits, without the child's data in the email.</summary>
    private async Task NotifyOrganizationAsync(ProviderOrganization org, Referral referral, string serviceName, CancellationToken ct)
    {
        var recipients = await db.Users.Where(u => u.Role == UserRole.Provider && u.ProviderOrganizationId == org.Id && u.Email != null)
            .Select(u => new { u.Email, u.DisplayName, u.Id, u.Language }).ToListAsync(ct);
        var link = urls.ProviderReferral(referral.Id);
        // Each provider user in their own language; the organization's shared address (no one's choice) in English.
        void Send(string email, string? name, int? userId, string? language)
        {
            using var _ = EmailLanguage.Use(language);
            var text = $"{EmailLanguage.T("A new referral to {0} is waiting for your answer in SuccessPlans:", serviceName)}\n\n{link}\n\n{EmailLanguage.T("The child's details are in the app, not in this email.")}";
            outbox.Enqueue("referral", email, name, EmailLanguage.T("New referral to {0}", serviceName), text, recipientUserId: userId);
        }
        if (org.Email is { Length: > 0 } orgEmail && recipients.All(r => !string.Equals(r.Email, orgEmail, StringComparison.OrdinalIgnoreCase)))
            Send(orgEmail, org.Name, null, null);
        foreach (var r in recipients)
            Send(r.Email!, r.DisplayName, r.Id, r.Language);
    }

    public Task AcceptAsync(Referral r, Actor actor, Guid? version, CancellationToken ct = default) =>
        MoveAsync(r, ReferralStatus.Accepted, actor, version, null, ct, () =>
        {
            r.AnsweredAt = Now;
            return TellSchoolAsync(r, ReferralUpdateKind.Accepted, (org, service, child) => $"{org} accepted {child}'s referral to {service}.", ct);
        });

    /// <summary>Declines a sent referral with an outcome of the one vocabulary; "no capacity" marks the service full.</summary>
    public Task DeclineAsync(Referral r, ReferralOutcome? outcome, string? note, Actor actor, Guid? version, CancellationToken ct = default)
    {
        var why = RequireUnsuccessful(outcome, note, "declining");
        return MoveAsync(r, ReferralStatus.Declined, actor, version, Note(why, note), ct, async () =>
        {
            SetOutcome(r, why, note);
            r.AnsweredAt = Now;
            if (why == ReferralOutcome.NoCapacity)
                await MarkFullAsync(r.ServiceId, ct);
            await TellSchoolAsync(r, ReferralUpdateKind.Declined,
                (org, service, child) => $"{org} declined {child}'s referral to {service}: {Labels.Words(why)}. The need is open again.", ct);
        });
    }

    public Task WithdrawAsync(Referral r, string? note, Actor actor, Guid? version, CancellationToken ct = default) =>
        MoveAsync(r, ReferralStatus.Withdrawn, actor, version, Trim(note), ct, () =>
        {
            r.ClosedAt = Now;
            return TellProviderAsync(r, ReferralUpdateKind.Withdrawn, service => $"The school withdrew referral #{r.Id} ({service}).", actor, ct);
        });

    /// <summary>Completes a referral in service: the provider reports the goal met.</summary>
    public Task CompleteAsync(Referral r, string? note, Actor actor, Guid? version, CancellationToken ct = default) =>
        CloseAsync(r, ReferralOutcome.GotHelp, note, actor, version, ct);

    public Task CloseUnsuccessfulAsync(Referral r, ReferralOutcome? outcome, string? note, Actor actor, Guid? version, CancellationToken ct = default) =>
        CloseAsync(r, RequireUnsuccessful(outcome, note, "closing"), note, actor, version, ct);

    /// <summary>
    /// Closes an accepted or in-service referral with an outcome. "Got help" completes it and proposes to the
    /// coordinator that the need is met; any other outcome closes it unsuccessfully and leaves the need open.
    /// </summary>
    public Task CloseAsync(Referral r, ReferralOutcome? outcome, string? note, Actor actor, Guid? version, CancellationToken ct = default)
    {
        if (outcome is not { } o || !Enum.IsDefined(o))
            throw ValidationFailedException.For("Outcome", "Choose an outcome.");
        if (o != ReferralOutcome.GotHelp)
            RequireUnsuccessful(o, note, "closing");
        if (note?.Trim().Length > 1000)
            throw ValidationFailedException.For("Note", "The note is longer than 1000 characters.");
        if (o == ReferralOutcome.GotHelp && r.Status == ReferralStatus.Accepted)
            throw new IllegalTransitionException("Record the services delivered before completing: a referral with no service delivered cannot end with the goal met.");
        var to = o == ReferralOutcome.GotHelp ? ReferralStatus.Completed : ReferralStatus.ClosedUnsuccessful;
        return MoveAsync(r, to, actor, version, Note(o, note), ct, async () =>
        {
            SetOutcome(r, o, note);
            r.ClosedAt = Now;
            // The referral names the goal it served (the need's goal, or the need itself when it has none).
            if (o == ReferralOutcome.GotHelp)
                r.GoalServed = await db.PlanItems.Where(i => i.Id == r.NeedId).Select(i => i.Goal ?? i.Description).SingleOrDefaultAsync(ct);
            await (o == ReferralOutcome.GotHelp
                ? TellSchoolAsync(r, ReferralUpdateKind.Completed, (org, service, child) => $"{org} completed {child}'s referral to {service}: got help, goal met. Confirm the need met.", ct)
                : TellSchoolAsync(r, ReferralUpdateKind.ClosedUnsuccessful, (org, service, child) => $"{org} closed {child}'s referral to {service}: {Labels.Words(o)}. The need stays open.", ct));
        });
    }

    private static ReferralOutcome RequireUnsuccessful(ReferralOutcome? outcome, string? note, string doing)
    {
        if (outcome is not { } o || !ReferralOutcomes.Unsuccessful.Contains(o))
        {
            var choices = string.Join("; ", ReferralOutcomes.Unsuccessful.Select(o => Labels.Words(o)));
            if (doing == "declining")
                throw ValidationFailedException.For("Outcome", $"Choose the outcome for declining: {choices}.");
            throw ValidationFailedException.For("Outcome", $"Choose the outcome for closing: {choices}.");
        }
        if (o == ReferralOutcome.CouldNotGetHelp && string.IsNullOrWhiteSpace(note))
            throw ValidationFailedException.For("Note", "Say why in a note when the family couldn't get help.");
        if (note?.Trim().Length > 1000)
            throw ValidationFailedException.For("Note", "The note is longer than 1000 characters.");
        return o;
    }

    private static void SetOutcome(Referral r, ReferralOutcome outcome, string? note)
    {
        r.Outcome = outcome;
        r.OutcomeNote = Trim(note);
    }

    /// <summary>A "no capacity" answer makes the directory tell the truth: the service shows as full until the provider says otherwise.</summary>
    private async Task MarkFullAsync(int serviceId, CancellationToken ct) =>
        (await db.Services.SingleAsync(s => s.Id == serviceId, ct)).GiveCapacity(0, Now);

    /// <summary>Records services delivered; the first delivery moves an accepted referral into service.</summary>
    public async Task<ServiceDelivery> RecordDeliveryAsync(Referral r, DateOnly? on, int? amount, DeliveryUnit? unit, string? note, Actor actor, Guid? version, CancellationToken ct = default)
    {
        var today = await plans.TodayAsync(ct);
        var (date, count, u, text) = ValidateDelivery(r, on, amount, unit, note, today);
        CheckVersion(r, version);
        var delivery = await AddDeliveryAsync(r, date, count, u, text, actor, ct);
        await SaveAsync(ct);
        return delivery;
    }

    /// <summary>
    /// Group attendance: one session of a service for many children at once. Every referral must be of this
    /// service, in <paramref name="visible"/> (the provider's own) and accepted or in service; all or nothing.
    /// </summary>
    public async Task<int> RecordGroupDeliveryAsync(IQueryable<Referral> visible, int serviceId, IReadOnlyCollection<int> referralIds, DateOnly? on, int? amount, DeliveryUnit? unit, string? note, Actor actor, CancellationToken ct = default)
    {
        if (referralIds.Count == 0)
            throw ValidationFailedException.For("ReferralIds", "Tick the children who attended.");
        var ids = referralIds.Distinct().ToList();
        var referrals = await visible.Include(r => r.Events).Where(r => ids.Contains(r.Id) && r.ServiceId == serviceId).ToListAsync(ct);
        if (referrals.Count != ids.Count)
            throw new NotFoundException("Some of these referrals are not this service's.");
        var today = await plans.TodayAsync(ct);
        foreach (var r in referrals.OrderBy(r => r.Id))
        {
            var (date, count, u, text) = ValidateDelivery(r, on, amount, unit, note, today);
            await AddDeliveryAsync(r, date, count, u, text, actor, ct);
        }
        await SaveAsync(ct);
        return referrals.Count;
    }

    private static (DateOnly Date, int Amount, DeliveryUnit Unit, string? Note) ValidateDelivery(Referral r, DateOnly? on, int? amount, DeliveryUnit? unit, string? note, DateOnly today, bool correction = false)
    {
        if (!correction && r.Status is not (ReferralStatus.Accepted or ReferralStatus.InService))
            throw new IllegalTransitionException($"Services can be recorded only on an accepted referral or one in service; referral #{r.Id} is {Labels.Words(r.Status)}.");
        var errors = new Dictionary<string, CoreMessage[]>();
        if (on is not { } date) errors["DeliveredOn"] = ["Give the date the service was delivered."];
        else if (date > today) errors["DeliveredOn"] = ["The date cannot be in the future."];
        if (amount is not (> 0 and <= 10_000)) errors["Amount"] = ["Give the amount: a number of sessions or minutes from 1 to 10,000."];
        if (unit is { } u && !Enum.IsDefined(u)) errors["Unit"] = ["Choose sessions or minutes."];
        if (note?.Length > 1000) errors["Note"] = ["The note is longer than 1000 characters."];
        if (errors.Count > 0) throw new ValidationFailedException(errors);
        return (on!.Value, amount!.Value, unit ?? DeliveryUnit.Sessions, Trim(note));
    }

    private async Task<ServiceDelivery> AddDeliveryAsync(Referral r, DateOnly on, int amount, DeliveryUnit unit, string? note, Actor actor, CancellationToken ct)
    {
        var delivery = new ServiceDelivery { Referral = r, DeliveredOn = on, Amount = amount, Unit = unit, DeliveredBy = actor.Name, Note = note, RecordedAt = Now };
        db.ServiceDeliveries.Add(delivery);
        if (r.Status == ReferralStatus.Accepted)
        {
            r.Events.Add(new ReferralEvent { From = r.Status, To = ReferralStatus.InService, At = Now, UserId = actor.UserId, UserName = actor.Name });
            r.Status = ReferralStatus.InService;
            await flags.ResolveAsync(FlagKind.Stalled, r.Id, ct);
            await TellSchoolAsync(r, ReferralUpdateKind.FirstService, (org, service, child) => $"{org} recorded a first service for {child} ({service}).", ct);
        }
        r.FirstServiceAt ??= Now;
        if (r.FirstServiceOn is not { } first || on < first)
            await SetFirstServiceAsync(r, on, ct);
        await SuccessPlans.Features.Cabinet.DeliveryRollup.CountAsync(db, r, on, Now, ct);
        db.Entry(r).Property(x => x.FirstServiceAt).IsModified = true; // the referral row's version moves with every delivery
        return delivery;
    }

    private async Task SetFirstServiceAsync(Referral r, DateOnly? first, CancellationToken ct)
    {
        r.FirstServiceOn = first;
        if (first is not { } day) { r.DaysToFirstService = null; return; }
        var sentOn = await plans.LocalDateAsync(r.SentAt ?? r.CreatedAt, ct);
        r.DaysToFirstService = Math.Max(0, day.DayNumber - sentOn.DayNumber);
    }

    /// <summary>
    /// Corrects a wrong delivery (date, amount, unit, note) or removes it (<paramref name="remove"/>), with a reason
    /// kept in the referral's history; the cabinet's counts and the first-service date follow in the same save.
    /// </summary>
    public async Task CorrectDeliveryAsync(Referral r, int deliveryId, bool remove, DateOnly? on, int? amount, DeliveryUnit? unit, string? note, string? reason, Actor actor, Guid? version, CancellationToken ct = default)
    {
        await db.Entry(r).Collection(x => x.Deliveries).LoadAsync(ct);
        var delivery = r.Deliveries.SingleOrDefault(d => d.Id == deliveryId) ?? throw new NotFoundException("This referral has no such delivery.");
        if (r.Status is not (ReferralStatus.InService or ReferralStatus.Completed or ReferralStatus.ClosedUnsuccessful))
            throw new IllegalTransitionException($"Deliveries of a referral that is {Labels.Words(r.Status)} cannot be changed.");
        var why = reason?.Trim();
        if (string.IsNullOrEmpty(why))
            throw ValidationFailedException.For("Reason", "Say why the delivery is corrected or removed; it is kept in the history.");
        if (why.Length > 1000)
            throw ValidationFailedException.For("Reason", "The reason is longer than 1000 characters.");
        var before = FormattableString.Invariant($"{delivery.DeliveredOn:yyyy-MM-dd}, {delivery.AmountText}");
        CheckVersion(r, version);
        await SuccessPlans.Features.Cabinet.DeliveryRollup.CountAsync(db, r, delivery.DeliveredOn, Now, ct, -1);
        string what;
        if (remove)
        {
            r.Deliveries.Remove(delivery);
            db.ServiceDeliveries.Remove(delivery);
            what = $"Delivery of {before} removed: {why}";
        }
        else
        {
            var (date, count, u, text) = ValidateDelivery(r, on, amount, unit, note, await plans.TodayAsync(ct), correction: true);
            (delivery.DeliveredOn, delivery.Amount, delivery.Unit, delivery.Note) = (date, count, u, text);
            await SuccessPlans.Features.Cabinet.DeliveryRollup.CountAsync(db, r, date, Now, ct);
            what = FormattableString.Invariant($"Delivery of {before} corrected to {date:yyyy-MM-dd}, {delivery.AmountText}: {why}");
        }
        await SetFirstServiceAsync(r, r.Deliveries.Count == 0 ? null : r.Deliveries.Min(d => d.DeliveredOn), ct);
        r.Events.Add(new ReferralEvent { From = r.Status, To = r.Status, At = Now, UserId = actor.UserId, UserName = actor.Name, Note = what });
        plans.Record(r.StudentId, actor, "delivery corrected", $"Referral #{r.Id}: {what}");
        db.Entry(r).Property(x => x.FirstServiceAt).IsModified = true;
        await SaveAsync(ct);
    }

    /// <summary>
    /// A message on the referral. The caller has checked that the user is of one of the two parties; the other
    /// party is told. A provider's message can only reach this referral: nothing here reads another child.
    /// </summary>
    public async Task<ReferralMessage> PostMessageAsync(Referral r, MessageSide side, string? text, Actor actor, CancellationToken ct = default)
    {
        var body = text?.Trim();
        if (string.IsNullOrEmpty(body))
            throw ValidationFailedException.For("Text", "Write a message.");
        if (body.Length > ReferralMessage.MaxLength)
            throw ValidationFailedException.For("Text", $"The message is longer than {ReferralMessage.MaxLength:N0} characters.");
        if (r.Status == ReferralStatus.Draft)
            throw new IllegalTransitionException("This referral was never sent.");
        var message = new ReferralMessage { ReferralId = r.Id, Side = side, AuthorUserId = actor.UserId, AuthorName = actor.Name, Text = body, At = Now };
        db.ReferralMessages.Add(message);
        if (side == MessageSide.Provider)
            await TellSchoolAsync(r, ReferralUpdateKind.Message, (org, service, child) => $"{org} wrote about {child}'s referral to {service}.", ct);
        else
            await TellProviderAsync(r, ReferralUpdateKind.Message, service => $"The school wrote about referral #{r.Id} ({service}).", actor, ct);
        await db.SaveChangesAsync(ct);
        return message;
    }

    /// <summary>Tells the provider organization's users, without the child's name: their emails must carry no child's data.</summary>
    private async Task TellProviderAsync(Referral r, ReferralUpdateKind kind, Func<string, string> text, Actor actor, CancellationToken ct)
    {
        var service = await db.Services.Where(s => s.Id == r.ServiceId).Select(s => s.Name).SingleAsync(ct);
        var users = await db.Users.Where(u => u.Role == UserRole.Provider && u.ProviderOrganizationId == r.OrganizationId && u.Id != actor.UserId)
            .Select(u => u.Id).ToListAsync(ct);
        var line = text(service);
        foreach (var user in users)
            db.ReferralUpdates.Add(new ReferralUpdate { UserId = user, ReferralId = r.Id, Kind = kind, At = Now, Text = line.Length > 500 ? line[..500] : line });
    }

    /// <summary>Tells the coordinator who sent the referral (they may see their own student's name).</summary>
    private async Task TellSchoolAsync(Referral r, ReferralUpdateKind kind, Func<string, string, string, string> text, CancellationToken ct)
    {
        if (r.SentByUserId is not { } sender)
            return;
        var names = await db.Services.Where(s => s.Id == r.ServiceId)
            .Select(s => new { Service = s.Name, Organization = s.Organization.Name,
                Child = db.Students.Where(st => st.Id == r.StudentId).Select(st => st.GivenName + " " + st.FamilyName).Single() })
            .SingleAsync(ct);
        var line = text(names.Organization, names.Service, names.Child);
        db.ReferralUpdates.Add(new ReferralUpdate { UserId = sender, ReferralId = r.Id, Kind = kind, At = Now, Text = line.Length > 500 ? line[..500] : line });
    }

    private async Task MoveAsync(Referral r, ReferralStatus to, Actor actor, Guid? version, string? note, CancellationToken ct, Func<Task> apply)
    {
        if (!Allowed.TryGetValue(r.Status, out var next) || !next.Contains(to))
        {
            if (r.Status == to)
                throw new IllegalTransitionException($"This referral is already {Labels.Words(to)}.");
            throw new IllegalTransitionException($"A referral that is {Labels.Words(r.Status)} cannot become {Labels.Words(to)}.");
        }
        CheckVersion(r, version);
        r.Events.Add(new ReferralEvent { From = r.Status, To = to, At = Now, UserId = actor.UserId, UserName = actor.Name, Note = note });
        r.Status = to;
        await apply();
        // The action in English whoever acts, so that Labels.HistoryAction shows it in each reader's language.
        plans.Record(r.StudentId, actor, $"referral {Labels.English(() => Labels.Words(to))}", $"Referral #{r.Id}{(note is null ? "" : $": {note}")}");
        // Leaving "sent" answers the no-response flag; leaving "accepted" the stalled one.
        if (to != ReferralStatus.Sent) await flags.ResolveAsync(FlagKind.NoResponse, r.Id, ct);
        if (to != ReferralStatus.Accepted) await flags.ResolveAsync(FlagKind.Stalled, r.Id, ct);
        await SaveAsync(ct);
    }

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
    // The outcome in English whoever acts: the history reads it back in each reader's language (HistoryDetails).
    private static string Note(ReferralOutcome outcome, string? note)
    {
        var words = Labels.English(() => Labels.Words(outcome));
        return Trim(note) is { } n ? $"{words}: {n}" : words;
    }
}
