using SuccessPlans.Features.Audit;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Flags;
using SuccessPlans.Features.Jobs;
using SuccessPlans.Features.Notifications;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Referrals;
using SuccessPlans.Features.Students;
using SuccessPlans.Features.Users;

namespace SuccessPlans;

/// <summary>
/// Every value the screens, emails and CSV files for people show, in plain words, in one place: an identifier such as
/// <c>NoCapacity</c> or <c>ht</c> never reaches a reader. Machine formats (the API, HSDS, OneRoster) keep the codes.
/// </summary>
public static class Labels
{
    public static string Words(Domain d) => d switch
    {
        Domain.Academic => "Academic",
        Domain.SocialEmotionalBehavioral => "Social-emotional-behavioral",
        Domain.Health => "Health",
        _ => "Family",
    };

    public static string Words(PlanItemKind k) => k switch
    {
        PlanItemKind.Strength => "Strength",
        PlanItemKind.Need => "Need",
        _ => "Interest",
    };

    public static string Words(NeedPriority p) => p switch
    {
        NeedPriority.Low => "low",
        NeedPriority.Medium => "medium",
        _ => "high",
    };

    public static string Words(NeedPriority? p) => p is { } v ? Words(v) : "";

    public static string Words(NeedStatus? s) => s switch
    {
        NeedStatus.Open => "open",
        NeedStatus.Met => "met",
        NeedStatus.ClosedUnmet => "closed, unmet",
        _ => "",
    };

    public static string Words(PlanStatus s) => s switch
    {
        PlanStatus.Draft => "draft",
        PlanStatus.Active => "active",
        _ => "closed",
    };

    public static string Words(Term t) => t == Term.Fall ? "fall" : "spring";

    public static string Words(ServiceTier t) => t switch
    {
        ServiceTier.PreventionEnrichment => "Prevention and enrichment",
        ServiceTier.EarlyIntervention => "Early intervention",
        _ => "Intensive or crisis",
    };

    public static string Words(ReferralStatus s) => s switch
    {
        ReferralStatus.Draft => "draft",
        ReferralStatus.Sent => "sent",
        ReferralStatus.Accepted => "accepted",
        ReferralStatus.InService => "in service",
        ReferralStatus.Completed => "completed",
        ReferralStatus.ClosedUnsuccessful => "closed unsuccessfully",
        ReferralStatus.Declined => "declined",
        ReferralStatus.Withdrawn => "withdrawn",
        _ => "expired",
    };

    public static string Words(ReferralOutcome o) => o switch
    {
        ReferralOutcome.GotHelp => "got help, goal met",
        ReferralOutcome.CouldNotContact => "couldn't contact the family",
        ReferralOutcome.FamilyDeclined => "family declined or no longer interested",
        ReferralOutcome.NotEligible => "not eligible",
        ReferralOutcome.NoCapacity => "no capacity",
        ReferralOutcome.ReferredElsewhere => "referred elsewhere",
        _ => "couldn't get help",
    };

    public static string Words(DeliveryUnit u) => u == DeliveryUnit.Sessions ? "sessions" : "minutes";

    public static string Words(FlagKind kind) => kind switch
    {
        FlagKind.UnmetNeed => "Unmet need",
        FlagKind.NoResponse => "No response from the provider",
        FlagKind.Stalled => "Accepted but no service yet",
        FlagKind.IndicatorWithoutPlan => "Indicator without a plan",
        FlagKind.NotImproving => "Not improving",
        _ => "Plan review overdue",
    };

    public static string Words(StudentStatus s) => s switch
    {
        StudentStatus.Active => "active",
        StudentStatus.Withdrawn => "withdrawn",
        _ => "erased",
    };

    public static string Words(JobRunStatus s) => s switch
    {
        JobRunStatus.Running => "running",
        JobRunStatus.Succeeded => "succeeded",
        _ => "failed",
    };

    public static string Words(NotificationStatus s) => s switch
    {
        NotificationStatus.Pending => "waiting to be sent",
        NotificationStatus.Sending => "sending",
        NotificationStatus.Sent => "sent",
        _ => "failed",
    };

    public static string Words(UserRole r) => Role(r.ToString());

    /// <summary>A role as stored in claims and the access log ("Coordinator"), in words.</summary>
    public static string Role(string? role) => role switch
    {
        Roles.Admin => "administrator",
        Roles.Coordinator => "school coordinator",
        Roles.Provider => "service provider",
        Roles.Cabinet => "cabinet",
        nameof(UserRole.Operator) => "platform operator",
        AccessLogEntry.SystemRole => "the system",
        null => "",
        _ => role,
    };

    public static string Words(AccessAction action) => action switch
    {
        AccessAction.ViewStudent => "opened the student page",
        AccessAction.ViewPlan => "opened the success plan",
        AccessAction.ViewReferral => "opened a referral",
        AccessAction.ApiRead => "read the record through the API",
        AccessAction.ExportCsv => "downloaded a file",
        AccessAction.DigestEmail => "was sent the record in an email",
        AccessAction.ViewAccessReport => "prepared this access report",
        _ => "erased the record",
    };

    /// <summary>An outbox message's kind ("referral-updates") as the Jobs page lists it.</summary>
    public static string EmailKind(string kind) => kind switch
    {
        "referral" => "new referral",
        "referral-updates" => "referral updates",
        "digest" => "daily flag digest",
        "password-reset" => "password reset",
        _ => kind.Replace('-', ' '),
    };

    /// <summary>A service's HSDS status ("active", "inactive", "defunct", "temporarily closed") as a reader says it.</summary>
    public static string ServiceStatus(string? status) => status switch
    {
        null or "" => "",
        "temporarily closed" => "temporarily closed",
        _ => status.ToLowerInvariant(),
    };

    /// <summary>A language code ("ht", "pt-BR") as its English name; empty when none is recorded.</summary>
    public static string Language(string? code) => string.IsNullOrWhiteSpace(code) ? "" : LanguageNames.Name(code.Trim());

    /// <summary>A directory's space-separated codes ("en es") as names ("English, Spanish").</summary>
    public static string Languages(string? codes) =>
        string.Join(", ", (codes ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Language));
}
