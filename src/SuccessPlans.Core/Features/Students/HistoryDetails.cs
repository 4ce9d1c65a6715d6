namespace SuccessPlans.Features.Students;

/// <summary>
/// A history entry's details as stored (English, in the shapes the use cases write them: "Referral #12: …",
/// "Academic: Reading (…)"), read back as a message in the reader's language: the shape's words are translated, a
/// domain or a term inside it too, and the family's and staff's own words (a need, a note, a name) stay as written.
/// Entries of a shape not listed here (and any written before in another shape) show as stored.
/// </summary>
public static class HistoryDetails
{
    private static readonly StoredText Plan = new("Success plan for {0} (demo)", "Success plan for {0}");
    private static readonly StoredText Tier = new("Tier {0} ({1} review)");
    private static readonly StoredText Item = new("{0}: {1}");
    private static readonly StoredText NeedUpdated = new("{0}: {1} ({2})");
    private static readonly StoredText NeedMet = new("{0}: {1} (confirmed: {2} reported the goal met, referral #{3}, {4})");
    private static readonly StoredText GoalSet = new("{0}: {1} ({2}: {3} on {4} → {5} by {6})");
    private static readonly StoredText GoalValue = new("{0}: {1} ({2} on {3})");
    private static readonly StoredText ReferralSent = new("{0} ({1}) for the need: {2} (Admin override: {3})", "{0} ({1}) for the need: {2} (consent of {3}, {4})");
    private static readonly StoredText ReferralExpired = new("Referral #{0}: no answer in time");
    // A delivery's "2026-11-02, 3 sessions" and a correction's new amount are read back in the reader's words.
    private static readonly StoredText ReferralDelivery = new("Referral #{0}: Delivery of {1} removed: {2}", "Referral #{0}: Delivery of {1} corrected to {2}, {3}: {4}");
    // A status change's note: an outcome's words ("no capacity: …", ReferralService.Note), else the note as typed.
    private static readonly StoredText Referral = new("Referral #{0}: {1}", "Referral #{0}");
    // A referral's own history (its events' notes, on the provider's referral page).
    private static readonly StoredText ReferralNotes = new("No answer within the tenant's window", "Admin override: {0}");
    private static readonly StoredText DeliveryNote = new("Delivery of {0} removed: {1}", "Delivery of {0} corrected to {1}, {2}: {3}");
    // One change of a need (PlanService.UpdateNeedAsync): a status or priority by its enum name, read as its label.
    private static readonly StoredText NeedChange = new("status {0} → {1}", "priority {0} → {1}", "goal changed");
    // One change of a child by a roster import (OneRosterImporter): "grade 03 → 04", a field's name, then the values.
    private static readonly StoredText RosterValues = new("none → {0}", "{0} → none", "{0} → {1}");
    // The fields the import compares, longest first (a field's name may begin another's: "preferred name"); "{0}" is the values.
    private static readonly StoredText RosterFields = new("preferred family name {0}", "preferred name {0}", "home language {0}", "birth date {0}",
        "local id {0}", "pronouns {0}", "guardian {0}", "status {0}", "school {0}", "grade {0}", "name {0}");
    // A recorded consent: who and when; services or not; the sharing; the expiry. Longest shapes first: an argument
    // matches any text, so "sharing with {2}" would also take "any partner" or a trailing "; expires ...".
    private static readonly StoredText ConsentRecorded = new(
        "{0}, given {1}; services; sharing with any partner; expires {2}", "{0}, given {1}; services; no sharing; expires {2}",
        "{0}, given {1}; services; sharing with {2}; expires {3}", "{0}, given {1}; services; sharing with any partner",
        "{0}, given {1}; services; no sharing", "{0}, given {1}; services; sharing with {2}",
        "{0}, given {1}; sharing with any partner; expires {2}", "{0}, given {1}; no sharing; expires {2}",
        "{0}, given {1}; sharing with {2}; expires {3}", "{0}, given {1}; sharing with any partner",
        "{0}, given {1}; no sharing", "{0}, given {1}; sharing with {2}");
    private static readonly StoredText ConsentRevoked = new("Consent of {0} given {1}: {2}", "Consent of {0} given {1}");
    private static readonly StoredText NextReview = new("none");
    private static readonly StoredText Withdrawn = new("roster upload #{0}: {1}, grade none", "roster upload #{0}: {1}, grade {2}", "{0}, grade none", "{0}, grade {1}");
    private static readonly StoredText RosterChanged = new("roster upload #{0}: {1}");

    /// <summary>Every shape, for the test that holds each to a translation.</summary>
    public static IEnumerable<string> Formats =>
        new[] { Plan, Tier, Item, NeedUpdated, NeedMet, GoalSet, GoalValue, ReferralSent, ReferralExpired, ReferralDelivery, Referral, ReferralNotes, DeliveryNote,
            ConsentRecorded, ConsentRevoked, NextReview, Withdrawn, RosterChanged, NeedChange, RosterValues, RosterFields }.SelectMany(s => s.Formats);

    /// <summary>The details of an entry with this action, in the reader's language where their shape is known.</summary>
    public static CoreMessage Read(string action, string? details)
    {
        switch (action)
        {
            case "need updated":
                return NeedUpdate(details);
            case "changed by roster import":
                // "roster upload #4: grade 03 → 04; …", or the changes alone (an import from the command line).
                return RosterChanged.TryRead(details, out var changed, (i, arg) => i == 1 ? RosterChanges(arg) : (object)arg) ? changed : RosterChanges(details ?? "");
            case "delivery corrected":
            case var _ when action.StartsWith("referral ", StringComparison.Ordinal) && action != "referral sent":
                return ReferralDelivery.TryRead(details, out var delivery, (i, arg) => i == 1 ? DeliveryOf(arg) : i == 3 ? AmountOf(arg) : arg) ? delivery
                    : ReferralExpired.TryRead(details, out var expired) ? expired
                    : Referral.Read(details, (i, arg) => i == 1 ? OutcomeNote(arg) : arg);
        }
        var shape = action switch
        {
            "plan created" or "plan closed" => Plan,
            "tier set" => Tier,
            // "2026-12-01" (a day, in the reader's words) or "none".
            "next review set" when Readable.Stored(details ?? "") is not string => null,
            "next review set" => NextReview,
            "need met" => NeedMet,
            "goal measure set" => GoalSet,
            "goal value recorded" or "goal value removed" => GoalValue,
            "referral sent" => ReferralSent,
            "consent recorded" => ConsentRecorded,
            "consent revoked" => ConsentRevoked,
            "withdrawn by roster import" or "added by roster import" => Withdrawn,
            _ when action.EndsWith(" added", StringComparison.Ordinal) || action.EndsWith(" removed", StringComparison.Ordinal) || action == "flag dismissed" => Item,
            _ => null,
        };
        return shape is null ? (Readable.Stored(details ?? "") is { } day and not string ? CoreMessage.Of("{0}", day) : CoreMessage.Untranslated(details ?? ""))
            : shape.Read(details, (_, arg) => Labels.StoredWord(arg));
    }

    /// <summary>
    /// A referral's event note as stored (English: the expiry's, an Admin override's reason, a delivery's correction, an
    /// outcome's words), in the reader's language; a note typed by a person stays as typed.
    /// </summary>
    public static CoreMessage ReadReferralNote(string? note) =>
        string.IsNullOrEmpty(note) ? CoreMessage.Untranslated("")
        : DeliveryNote.TryRead(note, out var delivery, (i, arg) => i == 0 ? DeliveryOf(arg) : i == 2 ? AmountOf(arg) : arg) ? delivery
        : ReferralNotes.TryRead(note, out var known) ? known
        : OutcomeNote(note) as CoreMessage ?? CoreMessage.Untranslated(note);

    /// <summary>"Academic: Reading (status Open → Met, goal changed)": the changes are the text after the last " (".</summary>
    private static CoreMessage NeedUpdate(string? details)
    {
        var open = details?.LastIndexOf(" (", StringComparison.Ordinal) ?? -1;
        if (details is null || open < 0 || !details.EndsWith(')'))
            return NeedUpdated.Read(details, (_, arg) => Labels.StoredWord(arg));
        var changes = List(", ", details[(open + 2)..^1].Split(", ").Select(change =>
            NeedChange.TryRead(change, out var m, (_, value) => NeedWord(value)) ? m : CoreMessage.Untranslated(change)));
        var colon = details.IndexOf(": ", StringComparison.Ordinal);
        return colon > 0 && colon < open
            ? CoreMessage.Of(NeedUpdated.Formats[0], Labels.StoredWord(details[..colon]), details[(colon + 2)..open], changes)
            : CoreMessage.Of("{0} ({1})", details[..open], changes);
    }

    /// <summary>A need's status or priority as stored (its enum name: "ClosedUnmet", "High"), as the reader's label.</summary>
    private static object NeedWord(string value) =>
        Enum.TryParse<Plans.NeedStatus>(value, out var status) && Enum.IsDefined(status) ? Labels.Words(status)
        : Enum.TryParse<Plans.NeedPriority>(value, out var priority) && Enum.IsDefined(priority) ? Labels.Words(priority)
        : value;

    /// <summary>A roster import's changes, "; " between them: each a field's name, then "before → after".</summary>
    private static CoreMessage RosterChanges(string changes) => List("; ", changes.Split("; ").Select(change =>
    {
        var format = RosterFields.Formats.FirstOrDefault(f => change.StartsWith(f[..^3], StringComparison.Ordinal));
        var field = format?[..^4];
        if (field is null || !RosterValues.TryRead(change[(field.Length + 1)..], out var values, (_, value) => RosterValue(field, value)))
            return CoreMessage.Untranslated(change);
        return CoreMessage.Of(format!, values);
    }));

    /// <summary>A value as the import stored it: a status's English word and a language's code read as words; data stays.</summary>
    private static object RosterValue(string field, string value) => field switch
    {
        "status" when Enum.TryParse<StudentStatus>(value, ignoreCase: true, out var s) && Enum.IsDefined(s) => Labels.Words(s),
        "home language" => Labels.Language(value),
        _ => value,
    };

    /// <summary>"2026-11-02, 3 sessions": a delivery's day and amount.</summary>
    private static object DeliveryOf(string text)
    {
        var comma = text.IndexOf(", ", StringComparison.Ordinal);
        return comma < 0 ? Readable.Stored(text) : CoreMessage.Of("{0}, {1}", Readable.Stored(text[..comma]), AmountOf(text[(comma + 2)..]));
    }

    /// <summary>"3 sessions", "1 minute" (ServiceDelivery.AmountText, English) in the reader's words.</summary>
    private static object AmountOf(string text)
    {
        var parts = text.Split(' ');
        if (parts.Length != 2 || !int.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var amount))
            return text;
        return parts[1] switch
        {
            "session" or "sessions" => Labels.Amount(amount, Referrals.DeliveryUnit.Sessions),
            "minute" or "minutes" => Labels.Amount(amount, Referrals.DeliveryUnit.Minutes),
            _ => text,
        };
    }

    /// <summary>An outcome's words, alone or before the note typed with it ("no capacity: full until May"); else the note as typed.</summary>
    private static object OutcomeNote(string text)
    {
        if (Labels.StoredOutcome(text) is { } alone) return Labels.Words(alone);
        var colon = text.IndexOf(": ", StringComparison.Ordinal);
        return colon > 0 && Labels.StoredOutcome(text[..colon]) is { } outcome ? CoreMessage.Of("{0}: {1}", Labels.Words(outcome), text[(colon + 2)..]) : (object)text;
    }

    /// <summary>Messages shown one after another with a separator: no words of its own, nothing to translate.</summary>
    private static CoreMessage List(string separator, IEnumerable<CoreMessage> items)
    {
        var all = items.ToArray();
        return CoreMessage.Of(string.Join(separator, Enumerable.Range(0, all.Length).Select(i => "{" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + "}")), all);
    }
}
