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
    private static readonly StoredText Referral = new("Referral #{0}: no answer in time", "Referral #{0}: Delivery of {1} removed: {2}",
        "Referral #{0}: Delivery of {1} corrected to {2}, {3}: {4}", "Referral #{0}: {1}", "Referral #{0}");
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
        new[] { Plan, Tier, Item, NeedUpdated, NeedMet, GoalSet, GoalValue, ReferralSent, Referral, ConsentRecorded, ConsentRevoked, NextReview, Withdrawn, RosterChanged }.SelectMany(s => s.Formats);

    /// <summary>The details of an entry with this action, in the reader's language where their shape is known.</summary>
    public static CoreMessage Read(string action, string? details)
    {
        var shape = action switch
        {
            "plan created" or "plan closed" => Plan,
            "tier set" => Tier,
            "next review set" => NextReview,
            "need updated" => NeedUpdated,
            "need met" => NeedMet,
            "goal measure set" => GoalSet,
            "goal value recorded" or "goal value removed" => GoalValue,
            "referral sent" => ReferralSent,
            "consent recorded" => ConsentRecorded,
            "consent revoked" => ConsentRevoked,
            "withdrawn by roster import" or "added by roster import" => Withdrawn,
            "changed by roster import" => RosterChanged,
            _ when action.EndsWith(" added", StringComparison.Ordinal) || action.EndsWith(" removed", StringComparison.Ordinal) || action == "flag dismissed" => Item,
            _ when action.StartsWith("referral ", StringComparison.Ordinal) || action == "delivery corrected" => Referral,
            _ => null,
        };
        return shape is null ? CoreMessage.Untranslated(details ?? "") : shape.Read(details, (_, arg) => Labels.StoredWord(arg));
    }
}
