using System.Linq.Expressions;
using SuccessPlans.Data;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Referrals;
using SuccessPlans.Features.Students;

namespace SuccessPlans.Features.Flags;

/// <summary>What a follow-up asks of the coordinator, in the worklist's order.</summary>
public enum FollowUp { AwaitingConfirmation, Declined, NoAnswer, NothingDelivered }

public sealed record FollowUpRow(FollowUp Kind, int ReferralId, int StudentId, string Student, int NeedId, string Need, string Service, string Organization,
    ReferralStatus Status, ReferralOutcome? Outcome, DateTime? Since);

public sealed record WorklistFlagRow(int Id, int StudentId, string Student, FlagKind Kind, int SubjectId, string? Summary, DateOnly Since);

/// <summary>Which part of the worklist to show: the flags' kind and sort, and a page of each list.</summary>
public sealed record WorklistQuery(FlagKind? Kind = null, string? Sort = null, int FollowUpPage = 1, int FlagPage = 1);

/// <summary>
/// The coordinator's worklist (the home page): referrals that need an action and the nightly check's open flags, of the
/// children of the user's schools, each a page of <see cref="PageSize"/> rows in order.
/// </summary>
/// <remarks>
/// A district coordinator has hundreds of follow-ups and thousands of open flags. Finding them and putting them in order
/// reads every referral and flag of the scope (8 ms of SQL at 10,000 children, most of the page), so their ids in order,
/// and the 50 rows of each page shown, are kept in <see cref="TenantReadCache"/> until a write to what they read. Keys
/// carry the tenant's <see cref="DataVersion"/>, read at every request: a write by another app process on the database
/// shows at the next request as this process's own do. Reading the page's rows by id at every request instead took
/// two thirds of the district's worklist's CPU (issue 15).
/// </remarks>
public static class Worklist
{
    public const int PageSize = 50;

    public sealed record Page(
        IReadOnlyList<FollowUpRow> FollowUps, int FollowUpCount, int FollowUpPage,
        IReadOnlyList<WorklistFlagRow> Flags, IReadOnlyDictionary<FlagKind, int> FlagCounts, int FlagPage)
    {
        public int FollowUpPages => Pages(FollowUpCount);
        /// <summary>The flags of the kind asked for (all kinds without one).</summary>
        public int FlagsShown { get; init; }
        public int FlagPages => Pages(FlagsShown);
    }

    private static int Pages(int count) => Math.Max(1, (count + PageSize - 1) / PageSize);

    // The kept lists: ids in the page's order.
    private sealed record FollowUpsKey(TenantReadCache.Stamp Stamp, long Version, string Schools, DateTime NoAnswerBefore, DateTime StalledBefore);
    private sealed record FlagsKey(TenantReadCache.Stamp Stamp, long Version, string Schools, bool ByStudent);
    // The kept rows of a page of each list.
    private sealed record FollowUpPageKey(FollowUpsKey List, int Page);
    private sealed record FlagPageKey(FlagsKey List, FlagKind? Kind, int Page);
    // The open flags' ids in order, and those of each kind with their count, so a request for a page of one kind does not
    // go through thousands of entries again.
    private sealed record KeptFlags(int[] All, IReadOnlyDictionary<FlagKind, int[]> ByKind, IReadOnlyDictionary<FlagKind, int> Counts);

    /// <summary>The worklist of the students of <paramref name="schools"/> at <paramref name="now"/>, with the tenant's follow-up thresholds.</summary>
    public static async Task<Page> PageAsync(AppDbContext db, TenantReadCache cache, IReadOnlyList<int> schools, int noResponseDays, int stalledDays,
        DateTime now, WorklistQuery q, CancellationToken ct)
    {
        var tenantId = db.CurrentTenantId ?? throw new InvalidOperationException("The worklist needs a tenant.");
        // The stamp and the version before any read: a write while they run retires what is stored under them.
        var stamp = cache.StampOf(tenantId);
        var version = await DataVersions.ReadAsync(db, ct);
        var scope = string.Join(',', schools.Order());
        // To the minute: a referral that passes the no-answer age shows within a minute, and the key stays the same
        // for the requests of that minute.
        var minute = new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerMinute, DateTimeKind.Utc);
        var noAnswerBefore = minute.AddDays(-noResponseDays);
        var stalledBefore = minute.AddDays(-stalledDays);
        var followUpsKey = new FollowUpsKey(stamp, version, scope, noAnswerBefore, stalledBefore);
        if (!cache.TryGet<int[]>(followUpsKey, out var followUpIds))
        {
            followUpIds = [.. await CompiledRows.ListAsync(FollowUpIdsQuery(db, schools, noAnswerBefore, stalledBefore), ct)];
            cache.Store(followUpsKey, followUpIds, 1 + followUpIds.Length / 256);
        }
        var followUpPage = Math.Clamp(q.FollowUpPage, 1, Pages(followUpIds.Length));
        var followUpPageKey = new FollowUpPageKey(followUpsKey, followUpPage);
        if (!cache.TryGet<IReadOnlyList<FollowUpRow>>(followUpPageKey, out var followUpRows))
        {
            followUpRows = await FollowUpRowsAsync(db, schools, noAnswerBefore, stalledBefore, followUpIds.Skip((followUpPage - 1) * PageSize).Take(PageSize).ToArray(), ct);
            cache.Store(followUpPageKey, followUpRows, TenantReadCache.PageOfRowsSize);
        }

        var byStudent = q.Sort == "student";
        var flagsKey = new FlagsKey(stamp, version, scope, byStudent);
        if (!cache.TryGet<KeptFlags>(flagsKey, out var flags))
        {
            // Built here, only when the list is read: building the query runs its expression's quoting (2% of the page's
            // CPU when it was built at every request).
            var joined = OpenFlags(db).Join(StudentScope.InSchools(db, schools), f => f.StudentId, st => st.Id, (f, st) => new { f, st });
            joined = byStudent
                ? joined.OrderBy(x => x.st.FamilyName).ThenBy(x => x.st.GivenName).ThenBy(x => x.f.Kind).ThenBy(x => x.f.Id)
                : joined.OrderBy(x => x.f.Kind).ThenBy(x => x.f.FirstSeenOn).ThenBy(x => x.st.FamilyName).ThenBy(x => x.f.Id);
            var inOrder = await joined.Select(x => new { x.f.Id, x.f.Kind }).ToListAsync(ct);
            var byKind = inOrder.GroupBy(f => f.Kind).ToDictionary(g => g.Key, g => g.Select(f => f.Id).ToArray());
            flags = new KeptFlags([.. inOrder.Select(f => f.Id)], byKind, byKind.ToDictionary(k => k.Key, k => k.Value.Length));
            cache.Store(flagsKey, flags, 1 + inOrder.Count / 128);
        }
        var shown = q.Kind is { } kind && Enum.IsDefined(kind) ? flags.ByKind.GetValueOrDefault(kind, []) : flags.All;
        var flagPage = Math.Clamp(q.FlagPage, 1, Pages(shown.Length));
        var flagPageKey = new FlagPageKey(flagsKey, shown == flags.All ? null : q.Kind, flagPage);
        if (!cache.TryGet<IReadOnlyList<WorklistFlagRow>>(flagPageKey, out var flagRows))
        {
            flagRows = await FlagRowsAsync(db, schools, shown.Skip((flagPage - 1) * PageSize).Take(PageSize).ToArray(), ct);
            cache.Store(flagPageKey, flagRows, TenantReadCache.PageOfRowsSize);
        }

        return new Page(followUpRows, followUpIds.Length, followUpPage, flagRows, flags.Counts, flagPage) { FlagsShown = shown.Length };
    }

    [InlinedFrom(nameof(OpenFlagsOf))]
    private static IQueryable<Flag> OpenFlags(AppDbContext db) => OpenFlagsQuery(db);

    // The rule's one text: OpenFlags runs it; the compiled query of the flags' rows puts it in its own tree (Inline.Expand).
    private static readonly Expression<Func<AppDbContext, IQueryable<Flag>>> OpenFlagsOf = db =>
        db.Flags.AsNoTracking().Where(f => f.ResolvedAt == null && f.DismissedAt == null);

    private static readonly Func<AppDbContext, IQueryable<Flag>> OpenFlagsQuery = OpenFlagsOf.Compile();

    // The page's flags by id, still open and of a child in the user's schools: compiled, as the follow-ups' rows are
    // (EF's walk and look-up of the LINQ tree at each request, issue 15).
    private static readonly Expression<Func<AppDbContext, IReadOnlyList<int>, int[], IQueryable<WorklistFlagRow>>> FlagRowsOf = (db, schools, ids) =>
        OpenFlags(db).Where(f => ids.Contains(f.Id))
            .Join(StudentScope.InSchools(db, schools), f => f.StudentId, st => st.Id,
                (f, st) => new WorklistFlagRow(f.Id, st.Id, st.GivenName + " " + st.FamilyName, f.Kind, f.SubjectId, f.Summary, f.FirstSeenOn));

    private static readonly Func<AppDbContext, IReadOnlyList<int>, int[], IAsyncEnumerable<WorklistFlagRow>> FlagRowsQuery = EF.CompileAsyncQuery(Inline.Expand(FlagRowsOf));

    /// <summary>
    /// The referrals the coordinator must act on: no answer from the provider, accepted and nothing delivered, a completion
    /// with help to confirm, or ended without help with nothing else under way for the need (the latest of those only).
    /// </summary>
    /// <remarks>Written once, as expressions, for the two compiled queries below: it runs only inside them (Inline.Expand).</remarks>
    [InlinedFrom(nameof(FollowUpsOf))]
    private static IQueryable<Referral> FollowUps(AppDbContext db, IReadOnlyList<int> schools, DateTime noAnswerBefore, DateTime stalledBefore) =>
        throw Inline.OnlyInExpand();

    private static readonly Expression<Func<AppDbContext, IReadOnlyList<int>, DateTime, DateTime, IQueryable<Referral>>> FollowUpsOf =
        (db, schools, noAnswerBefore, stalledBefore) => db.Referrals.AsNoTracking()
            .Where(r => MayNeedAction(r, noAnswerBefore, stalledBefore))
            // Joined, not "StudentId IN (the visible students)": the IN list is built in full first (10,000 ids for a
            // coordinator of 10,000 children), the join looks each row's student up by key.
            .Join(StudentScope.InSchools(db, schools), r => r.StudentId, st => st.Id, (r, _) => r)
            .Where(r => NeedsAction(db, r, noAnswerBefore, stalledBefore));

    // The test on the referral's own columns, first: SQLite checks it before it looks up the student, need and plan, so
    // referrals in service or long settled cost no join (a quarter of this query's time at 10,000 children).
    [InlinedFrom(nameof(MayNeedActionOf))]
    private static bool MayNeedAction(Referral r, DateTime noAnswerBefore, DateTime stalledBefore) => throw Inline.OnlyInExpand();

    private static readonly Expression<Func<Referral, DateTime, DateTime, bool>> MayNeedActionOf = (r, noAnswerBefore, stalledBefore) =>
        (r.Status == ReferralStatus.Sent && r.SentAt < noAnswerBefore) || (r.Status == ReferralStatus.Accepted && r.AnsweredAt < stalledBefore)
        || (r.Status == ReferralStatus.Completed && r.Outcome == ReferralOutcome.GotHelp)
        || r.Status == ReferralStatus.Declined || r.Status == ReferralStatus.ClosedUnsuccessful || r.Status == ReferralStatus.Expired;

    // The whole test, of a referral whose child is in the user's schools.
    [InlinedFrom(nameof(NeedsActionOf))]
    private static bool NeedsAction(AppDbContext db, Referral r, DateTime noAnswerBefore, DateTime stalledBefore) => throw Inline.OnlyInExpand();

    private static readonly Expression<Func<AppDbContext, Referral, DateTime, DateTime, bool>> NeedsActionOf = (db, r, noAnswerBefore, stalledBefore) =>
        (r.Status == ReferralStatus.Sent && r.SentAt < noAnswerBefore)
        || (r.Status == ReferralStatus.Accepted && r.AnsweredAt < stalledBefore && !r.Deliveries.Any())
        || (r.Status == ReferralStatus.Completed && r.Outcome == ReferralOutcome.GotHelp && r.Need.Status == NeedStatus.Open && r.Need.Plan.Status != PlanStatus.Closed)
        // Ended without help, and nothing else under way for the need: it needs another service. Of the need's ended
        // referrals only the latest (they all pass or fail the need's test alike).
        // The statuses are written in the query, not held in arrays: an array is a list parameter, and a query with one
        // has its SQL generated again at every execution (issue 15).
        || ((r.Status == ReferralStatus.Declined || r.Status == ReferralStatus.ClosedUnsuccessful || r.Status == ReferralStatus.Expired)
            && r.Need.Status == NeedStatus.Open && r.Need.Plan.Status != PlanStatus.Closed
            && !db.Referrals.Any(o => o.NeedId == r.NeedId && o.Id != r.Id
                && (o.Status == ReferralStatus.Sent || o.Status == ReferralStatus.Accepted || o.Status == ReferralStatus.InService || (o.Status == ReferralStatus.Completed && o.Outcome == ReferralOutcome.GotHelp)))
            && !db.Referrals.Any(o => o.NeedId == r.NeedId && o.Id > r.Id
                && (o.Status == ReferralStatus.Declined || o.Status == ReferralStatus.ClosedUnsuccessful || o.Status == ReferralStatus.Expired)));

    // What a follow-up asks, and since when.
    [InlinedFrom(nameof(KindOfReferral))]
    private static FollowUp KindOf(Referral r) => throw Inline.OnlyInExpand();

    private static readonly Expression<Func<Referral, FollowUp>> KindOfReferral = r =>
        r.Status == ReferralStatus.Completed ? FollowUp.AwaitingConfirmation
        : r.Status == ReferralStatus.Sent ? FollowUp.NoAnswer
        : r.Status == ReferralStatus.Accepted ? FollowUp.NothingDelivered
        : FollowUp.Declined;

    [InlinedFrom(nameof(SinceOfReferral))]
    private static DateTime? SinceOf(Referral r) => throw Inline.OnlyInExpand();

    private static readonly Expression<Func<Referral, DateTime?>> SinceOfReferral = r =>
        r.Status == ReferralStatus.Sent ? r.SentAt : r.Status == ReferralStatus.Accepted ? r.AnsweredAt : r.ClosedAt;

    // Initialised by members, not by a constructor: EF orders and projects by the members of such an object.
    private sealed class Ordered
    {
        public required Referral Referral { get; init; }
        public FollowUp Kind { get; init; }
        public DateTime? Since { get; init; }
    }

    private sealed class InScope
    {
        public required Referral Referral { get; init; }
        public required Student Student { get; init; }
    }

    // The follow-ups' ids in FollowUp's order (kept): a completion to confirm, an ended referral, no answer, nothing
    // delivered; the oldest first. Compiled, so EF does not look its LINQ tree up at every request (issue 15).
    private static readonly Expression<Func<AppDbContext, IReadOnlyList<int>, DateTime, DateTime, IQueryable<int>>> FollowUpIdsOf =
        (db, schools, noAnswerBefore, stalledBefore) => FollowUps(db, schools, noAnswerBefore, stalledBefore)
            .Select(r => new Ordered { Referral = r, Kind = KindOf(r), Since = SinceOf(r) })
            .OrderBy(x => x.Kind).ThenBy(x => x.Since).ThenByDescending(x => x.Referral.Id)
            .Select(x => x.Referral.Id);

    // The page's rows by id, still follow-ups now (a write from outside the app moves no version: see TenantReadCache), in no
    // order (they are put in the kept one): the same rule, with the child the scope's join found giving the name, so the
    // student is looked up once a row.
    private static readonly Expression<Func<AppDbContext, IReadOnlyList<int>, DateTime, DateTime, int[], IQueryable<FollowUpRow>>> FollowUpRowsOf =
        (db, schools, noAnswerBefore, stalledBefore, ids) => db.Referrals.AsNoTracking()
            .Where(r => ids.Contains(r.Id) && MayNeedAction(r, noAnswerBefore, stalledBefore))
            .Join(StudentScope.InSchools(db, schools), r => r.StudentId, st => st.Id, (r, st) => new InScope { Referral = r, Student = st })
            .Where(x => NeedsAction(db, x.Referral, noAnswerBefore, stalledBefore))
            .Select(x => new FollowUpRow(KindOf(x.Referral), x.Referral.Id, x.Student.Id, x.Student.GivenName + " " + x.Student.FamilyName, x.Referral.NeedId,
                x.Referral.Need.Description, x.Referral.Service.Name, x.Referral.Organization.Name, x.Referral.Status, x.Referral.Outcome, SinceOf(x.Referral)));

    private static readonly Func<AppDbContext, IReadOnlyList<int>, DateTime, DateTime, IAsyncEnumerable<int>> FollowUpIdsQuery = EF.CompileAsyncQuery(Inline.Expand(FollowUpIdsOf));
    private static readonly Func<AppDbContext, IReadOnlyList<int>, DateTime, DateTime, int[], IAsyncEnumerable<FollowUpRow>> FollowUpRowsQuery = EF.CompileAsyncQuery(Inline.Expand(FollowUpRowsOf));

    /// <summary>The two compiled queries' expanded trees as ordinary queries, for the SQL Server translation test.</summary>
    public static IQueryable<int> FollowUpIds(AppDbContext db, IReadOnlyList<int> schools, DateTime noAnswerBefore, DateTime stalledBefore) =>
        Uncompiled.Ids(db, schools, noAnswerBefore, stalledBefore);

    public static IQueryable<FollowUpRow> FollowUpRows(AppDbContext db, IReadOnlyList<int> schools, DateTime noAnswerBefore, DateTime stalledBefore, int[] ids) =>
        Uncompiled.Rows(db, schools, noAnswerBefore, stalledBefore, ids);

    /// <summary>The compiled query of the flags' rows as an ordinary query, for the SQL Server translation test.</summary>
    public static IQueryable<WorklistFlagRow> FlagRows(AppDbContext db, IReadOnlyList<int> schools, int[] ids) => Uncompiled.FlagRows(db, schools, ids);

    private static class Uncompiled
    {
        internal static readonly Func<AppDbContext, IReadOnlyList<int>, DateTime, DateTime, IQueryable<int>> Ids = Inline.Expand(FollowUpIdsOf).Compile();
        internal static readonly Func<AppDbContext, IReadOnlyList<int>, DateTime, DateTime, int[], IQueryable<FollowUpRow>> Rows = Inline.Expand(FollowUpRowsOf).Compile();
        internal static readonly Func<AppDbContext, IReadOnlyList<int>, int[], IQueryable<WorklistFlagRow>> FlagRows = Inline.Expand(FlagRowsOf).Compile();
    }

    private static async Task<IReadOnlyList<FollowUpRow>> FollowUpRowsAsync(AppDbContext db, IReadOnlyList<int> schools, DateTime noAnswerBefore, DateTime stalledBefore, int[] ids,
        CancellationToken ct)
    {
        if (ids.Length == 0) return [];
        var rows = await CompiledRows.ListAsync(FollowUpRowsQuery(db, schools, noAnswerBefore, stalledBefore, ids), ct);
        return TenantReadCache.InKeptOrder(rows, ids, r => r.ReferralId);
    }

    private static async Task<IReadOnlyList<WorklistFlagRow>> FlagRowsAsync(AppDbContext db, IReadOnlyList<int> schools, int[] ids, CancellationToken ct)
    {
        if (ids.Length == 0) return [];
        var rows = await CompiledRows.ListAsync(FlagRowsQuery(db, schools, ids), ct);
        return TenantReadCache.InKeptOrder(rows, ids, r => r.Id);
    }
}
