using System.Globalization;
using SuccessPlans.Features.Audit;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Flags;
using SuccessPlans.Features.Indicators;
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
    /// <summary>The resource of the translations (Resources/Labels.es.resx); the English word is the key.</summary>
    public const string ResourceName = "SuccessPlans.Resources.Labels";
    private static readonly Translator Translations = new(ResourceName, typeof(Labels).Assembly);

    /// <summary>
    /// The word in the current UI culture's language; English when no translation exists. A key may name its sense
    /// before a '|' ("student|withdrawn") where one English word is two words in another language (a withdrawn
    /// student is "dado de baja", a withdrawn referral "retirada"); English shows the word after it.
    /// </summary>
    public static string T(string english)
    {
        var shown = Translations[english];
        return shown == english ? english[(english.IndexOf('|') + 1)..] : shown;
    }

    public static string Words(Domain d) => d switch
    {
        Domain.Academic => T("Academic"),
        Domain.SocialEmotionalBehavioral => T("Social-emotional-behavioral"),
        Domain.Health => T("Health"),
        _ => T("Family"),
    };

    public static string Words(PlanItemKind k) => k switch
    {
        PlanItemKind.Strength => T("Strength"),
        PlanItemKind.Need => T("Need"),
        _ => T("Interest"),
    };

    public static string Words(NeedPriority p) => p switch
    {
        NeedPriority.Low => T("low"),
        NeedPriority.Medium => T("medium"),
        _ => T("high"),
    };

    public static string Words(NeedPriority? p) => p is { } v ? Words(v) : "";

    public static string Words(NeedStatus? s) => s switch
    {
        NeedStatus.Open => T("open"),
        NeedStatus.Met => T("met"),
        NeedStatus.ClosedUnmet => T("closed, unmet"),
        _ => "",
    };

    public static string Words(PlanStatus s) => s switch
    {
        PlanStatus.Draft => T("draft"),
        PlanStatus.Active => T("active"),
        _ => T("closed"),
    };

    public static string Words(Term t) => t == Term.Fall ? T("fall") : T("spring");

    public static string Words(ServiceTier t) => t switch
    {
        ServiceTier.PreventionEnrichment => T("Prevention and enrichment"),
        ServiceTier.EarlyIntervention => T("Early intervention"),
        _ => T("Intensive or crisis"),
    };

    public static string Words(ReferralStatus s) => s switch
    {
        ReferralStatus.Draft => T("draft"),
        ReferralStatus.Sent => T("sent"),
        ReferralStatus.Accepted => T("accepted"),
        ReferralStatus.InService => T("in service"),
        ReferralStatus.Completed => T("completed"),
        ReferralStatus.ClosedUnsuccessful => T("closed unsuccessfully"),
        ReferralStatus.Declined => T("declined"),
        ReferralStatus.Withdrawn => T("withdrawn"),
        _ => T("expired"),
    };

    public static string Words(ReferralOutcome o) => o switch
    {
        ReferralOutcome.GotHelp => T("got help, goal met"),
        ReferralOutcome.CouldNotContact => T("couldn't contact the family"),
        ReferralOutcome.FamilyDeclined => T("family declined or no longer interested"),
        ReferralOutcome.NotEligible => T("not eligible"),
        ReferralOutcome.NoCapacity => T("no capacity"),
        ReferralOutcome.ReferredElsewhere => T("referred elsewhere"),
        _ => T("couldn't get help"),
    };

    public static string Words(DeliveryUnit u) => u == DeliveryUnit.Sessions ? T("sessions") : T("minutes");

    public static string Words(FlagKind kind) => kind switch
    {
        FlagKind.UnmetNeed => T("Unmet need"),
        FlagKind.NoResponse => T("No response from the provider"),
        FlagKind.Stalled => T("Accepted but no service yet"),
        FlagKind.IndicatorWithoutPlan => T("Indicator without a plan"),
        FlagKind.NotImproving => T("Not improving"),
        _ => T("Plan review overdue"),
    };

    /// <summary>
    /// A grade as a school says it: "Pre-K", "K", "1" … "12", whatever the roster's spelling ("PK", "KG", "01");
    /// a spelling the school order does not know (<see cref="Features.Schools.Grades"/>) shows as the roster wrote it.
    /// </summary>
    public static string Grade(string? grade) => Features.Schools.Grades.Order(grade) switch
    {
        _ when grade is null => "",
        -1 when grade.Trim().Equals("PK", StringComparison.OrdinalIgnoreCase) || grade.Trim().Equals("P", StringComparison.OrdinalIgnoreCase) => T("Pre-K"),
        0 => T("grade|K"),
        var n and >= 1 and <= 13 => n.ToString(CultureInfo.InvariantCulture),
        _ => grade,
    };

    public static string Words(AttendanceBand band) => band switch
    {
        AttendanceBand.Satisfactory => T("Satisfactory"),
        AttendanceBand.AtRisk => T("At risk"),
        AttendanceBand.Chronic => T("Chronically absent"),
        _ => T("Severely chronically absent"),
    };

    public static string Words(StudentStatus s) => s switch
    {
        StudentStatus.Active => T("active"),
        StudentStatus.Withdrawn => T("student|withdrawn"),
        _ => T("erased"),
    };

    public static string Words(JobRunStatus s) => s switch
    {
        JobRunStatus.Running => T("running"),
        JobRunStatus.Succeeded => T("succeeded"),
        _ => T("failed"),
    };

    public static string Words(NotificationStatus s) => s switch
    {
        NotificationStatus.Pending => T("waiting to be sent"),
        NotificationStatus.Sending => T("sending"),
        NotificationStatus.Sent => T("sent"),
        _ => T("failed"),
    };

    public static string Words(UserRole r) => Role(r.ToString());

    /// <summary>A role as stored in claims and the access log ("Coordinator"), in words.</summary>
    public static string Role(string? role) => role switch
    {
        Roles.Admin => T("administrator"),
        Roles.Coordinator => T("school coordinator"),
        Roles.Provider => T("service provider"),
        Roles.Cabinet => T("cabinet"),
        nameof(UserRole.Operator) => T("platform operator"),
        AccessLogEntry.SystemRole => T("the system"),
        null => "",
        _ => role,
    };

    public static string Words(AccessAction action) => action switch
    {
        AccessAction.ViewStudent => T("opened the student page"),
        AccessAction.ViewPlan => T("opened the success plan"),
        AccessAction.ViewReferral => T("opened a referral"),
        AccessAction.ApiRead => T("read the record through the API"),
        AccessAction.ExportCsv => T("downloaded a file"),
        AccessAction.DigestEmail => T("was sent the record in an email"),
        AccessAction.ViewAccessReport => T("prepared this access report"),
        _ => T("erased the record"),
    };

    /// <summary>An outbox message's kind ("referral-updates") as the Jobs page lists it.</summary>
    public static string EmailKind(string kind) => kind switch
    {
        "referral" => T("new referral"),
        "referral-updates" => T("referral updates"),
        "digest" => T("daily flag digest"),
        "password-reset" => T("password reset"),
        _ => kind.Replace('-', ' '),
    };

    /// <summary>What a tenant job does (TenantJobCatalog), as the Jobs page describes it; a job this list does not know keeps its own text.</summary>
    public static string JobDescription(SuccessPlans.Features.Jobs.TenantJobDefinition job) => job.Name switch
    {
        "nightly-check" => T("Expires unanswered referrals, flags unmet needs, silent providers, stalled referrals and overdue reviews, and emails each coordinator a digest."),
        "notification-retention" => T("Purges sent emails older than the tenant's retention period."),
        "upload-retention" => T("Purges roster and directory uploads already imported, or not imported within the tenant's retention period."),
        _ => job.Description,
    };

    /// <summary>A service's HSDS status ("active", "inactive", "defunct", "temporarily closed") as a reader says it.</summary>
    public static string ServiceStatus(string? status) => status switch
    {
        null or "" => "",
        "temporarily closed" => T("temporarily closed"),
        "active" or "Active" => T("active"),
        "inactive" or "Inactive" => T("inactive"),
        "defunct" or "Defunct" => T("defunct"),
        _ => status.ToLowerInvariant(),
    };

    /// <summary>
    /// A history entry's action as stored ("plan created", "referral accepted": English when written), in the reader's
    /// language; an action this list does not know stays as it was stored.
    /// </summary>
    public static string HistoryAction(string action) => action switch
    {
        "plan created" => T("plan created"),
        "plan closed" => T("plan closed"),
        "tier set" => T("tier set"),
        "next review set" => T("next review set"),
        "need added" => T("need added"),
        "need updated" => T("need updated"),
        "need removed" => T("need removed"),
        "need met" => T("need met"),
        "strength added" => T("strength added"),
        "strength removed" => T("strength removed"),
        "interest added" => T("interest added"),
        "interest removed" => T("interest removed"),
        "goal measure set" => T("goal measure set"),
        "goal measure removed" => T("goal measure removed"),
        "goal value recorded" => T("goal value recorded"),
        "goal value removed" => T("goal value removed"),
        "referral sent" => T("referral sent"),
        "referral expired" => T("referral expired"),
        "delivery corrected" => T("delivery corrected"),
        "flag dismissed" => T("flag dismissed"),
        "consent recorded" => T("consent recorded"),
        "consent revoked" => T("consent revoked"),
        "added by roster import" => T("added by roster import"),
        "changed by roster import" => T("changed by roster import"),
        "withdrawn by roster import" => T("withdrawn by roster import"),
        // "referral accepted", "referral closed unsuccessfully"…: the status's own word (Words(ReferralStatus)).
        _ when action.StartsWith("referral ", StringComparison.Ordinal) && Enum.GetValues<ReferralStatus>().Any(s => English(() => Words(s)) == action[9..]) =>
            string.Format(CultureInfo.CurrentCulture, T("referral {0}"), T(action[9..])),
        _ => action,
    };

    /// <summary>
    /// A word of the product stored in English inside a text (a need's domain, a review's term, a flag's kind, as a
    /// history entry's details hold them), in the reader's language; any other text (a need's own words) stays.
    /// </summary>
    public static string StoredWord(string english) =>
        StoredWords.Value.TryGetValue(english, out var label) && label() is var shown && !shown.Equals(english, StringComparison.OrdinalIgnoreCase) ? shown : english;

    private static readonly Lazy<Dictionary<string, Func<string>>> StoredWords = new(() =>
    {
        var words = new Dictionary<string, Func<string>>(StringComparer.Ordinal);
        foreach (var d in Enum.GetValues<Domain>()) words.TryAdd(English(() => Words(d)), () => Words(d));
        foreach (var k in Enum.GetValues<FlagKind>()) words.TryAdd(English(() => Words(k)), () => Words(k));
        // A review's term is stored by its name ("Tier 2 (Fall review)").
        foreach (var t in Enum.GetValues<Term>()) words.TryAdd(t.ToString(), () => Words(t));
        foreach (var m in Enum.GetValues<GoalMeasure>().Where(m => m != GoalMeasure.Recorded)) words.TryAdd(English(() => Goals.Unit(m, null)), () => Goals.Unit(m, null));
        return words;
    });

    /// <summary>A label as English writes it: the key a text stored for later readers is written with.</summary>
    public static string English(Func<string> label)
    {
        using var _ = SuccessPlans.Languages.Use("en");
        return label();
    }

    private const string ReviewDue = "Review was due ", NotImproving = "Attendance in the last 30 days is worse than the school year, after services began for: ";

    /// <summary>
    /// A flag's summary as the nightly check stored it, in the reader's language: the check's own sentences (stored in
    /// English) are recognised and translated; anything else is the subject's own words (a need, a service) and stays.
    /// </summary>
    public static string FlagSummary(string? stored) => stored switch
    {
        null => "",
        "Severely chronically absent this school year, and no open need in the plan" => T("Severely chronically absent this school year, and no open need in the plan"),
        "Attendance in the last 30 days is in a worse band than the school year, and no open need in the plan" =>
            T("Attendance in the last 30 days is in a worse band than the school year, and no open need in the plan"),
        _ when stored.StartsWith(ReviewDue, StringComparison.Ordinal) => string.Format(CultureInfo.CurrentCulture, T("Review was due {0}"), Readable.Stored(stored[ReviewDue.Length..])),
        _ when stored.StartsWith(NotImproving, StringComparison.Ordinal) =>
            string.Format(CultureInfo.CurrentCulture, T("Attendance in the last 30 days is worse than the school year, after services began for: {0}"), stored[NotImproving.Length..]),
        _ => stored,
    };

    /// <summary>
    /// The fields a disclosure shared, stored in English as the referral named them ("Child's name, Grade, Need"), in the
    /// reader's language; a name this list does not know stays as it was stored.
    /// </summary>
    public static string FieldsShared(string? stored) =>
        string.Join(", ", (stored ?? "").Split(", ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(SharedField));

    /// <summary>One field a referral shares with a provider (ReferralService.SharedFields).</summary>
    public static string SharedField(string english) => english switch
    {
        "Child's name" => T("Child's name"),
        "Grade" => T("Grade"),
        "School" => T("School"),
        "Guardian" => T("Guardian"),
        "Guardian contact" => T("Guardian contact"),
        "Need" => T("Need"),
        _ => english,
    };

    /// <summary>An amount of service ("1 session", "45 minutes") in the reader's language.</summary>
    public static string Amount(int amount, DeliveryUnit unit) => string.Format(CultureInfo.CurrentCulture, (unit, amount) switch
    {
        (DeliveryUnit.Sessions, 1) => T("{0} session"),
        (DeliveryUnit.Sessions, _) => T("{0} sessions"),
        (_, 1) => T("{0} minute"),
        _ => T("{0} minutes"),
    }, amount);

    /// <summary>
    /// An outcome as a referral's note begins with it ("no capacity: we are full"), stored in English since this
    /// change and in the writer's language before it: found in either language.
    /// </summary>
    public static ReferralOutcome? StoredOutcome(string text) => StoredOutcomes.Value.TryGetValue(text, out var o) ? o : null;

    private static readonly Lazy<Dictionary<string, ReferralOutcome>> StoredOutcomes = new(() =>
    {
        var outcomes = new Dictionary<string, ReferralOutcome>(StringComparer.Ordinal);
        foreach (var culture in SuccessPlans.Languages.Supported)
        {
            using var _ = SuccessPlans.Languages.Use(culture.Name);
            foreach (var o in Enum.GetValues<ReferralOutcome>()) outcomes.TryAdd(Words(o), o);
        }
        return outcomes;
    });

    /// <summary>Who a history entry names when no person acted (the nightly check), in the reader's language; a person's name stays.</summary>
    public static string HistoryName(string? name) => name switch
    {
        "nightly check" => T("nightly check"),
        null => "",
        _ => name,
    };

    /// <summary>
    /// An access log entry's "where" as stored: a page or endpoint ("GET /Students/12") stays as it is; an email the
    /// system sent, stored in English, is named in the reader's language.
    /// </summary>
    public static string AccessPath(string? path) => path switch
    {
        "nightly digest email" => T("nightly digest email"),
        "referral updates email" => T("referral updates email"),
        null => "",
        _ => path,
    };

    /// <summary>A language code ("ht", "pt-BR") as its English name; empty when none is recorded.</summary>
    public static string Language(string? code) => string.IsNullOrWhiteSpace(code) ? "" : T(LanguageNames.Name(code.Trim()));

    /// <summary>A directory's space-separated codes ("en es") as names ("English, Spanish").</summary>
    public static string Languages(string? codes) =>
        string.Join(", ", (codes ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Language));
}
