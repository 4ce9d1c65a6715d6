using Microsoft.Extensions.Logging;
using System.Linq.Expressions;
using System.Net;
using System.Text;
using SuccessPlans.Data;
using SuccessPlans.Features.Jobs;
using SuccessPlans.Features.Notifications;
using SuccessPlans.Features.Observability;
using SuccessPlans.Features.Indicators;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Referrals;
using SuccessPlans.Features.Students;
using SuccessPlans.Features.Tenants;
using SuccessPlans.Features.Users;

namespace SuccessPlans.Features.Flags;

/// <summary>
/// The nightly check of one tenant (docs/nightly-check.md): expires unanswered referrals,
/// then computes each rule as one set-based query, opens the flags that are new, resolves those whose
/// condition cleared, and queues one digest per coordinator per day. Everything is judged as of the run's
/// local date, so a second run changes nothing and a run after nights of downtime leaves what nightly runs would have.
/// </summary>
public sealed class NightlyCheckJob(AppDbContext db, TimeProvider time, Outbox outbox, PublicUrls urls, SuccessPlans.Features.Audit.AccessLog accessLog, AppMetrics metrics,
    SuccessPlans.Features.Indicators.IndicatorSummary indicators, ILogger<NightlyCheckJob> log) : ITenantJob
{
    public async Task<string> RunAsync(CancellationToken ct)
    {
        // Wall-clock time, not the TimeProvider's: the histogram says how long the database work took.
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var summary = await CheckAsync(ct);
        metrics.NightlyCheckTook(System.Diagnostics.Stopwatch.GetElapsedTime(started));
        // Each phase's cost, so a slow night says where its time went (docs/nightly-check.md).
        log.LogInformation("Nightly check took {Seconds:0.000} s: {Phases}", System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds, Phases);
        return summary;
    }

    /// <summary>The last run's phases, timed (read by the benchmark).</summary>
    public NightlyPhases Phases { get; } = new();

    private async Task<string> CheckAsync(CancellationToken ct)
    {
        var tenant = await db.Tenants.AsNoTracking().SingleAsync(ct);
        var zone = tenant.TimeZone;
        var now = time.GetUtcNow().UtcDateTime;
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(now, zone));
        // "Sent N days ago" on local day D means sent before the start of local day D - N + 1.
        DateTime StartOfLocalDay(DateOnly d) => LocalDays.StartUtc(d, zone);

        // The cabinet's served months and funnel months, appended to by each change of the day, folded into one row per key.
        await Phases.TimeAsync("served months fold", () => SuccessPlans.Features.Cabinet.DeliveryRollup.CompactAsync(db, now, ct));
        await Phases.TimeAsync("funnel months fold", () => SuccessPlans.Features.Cabinet.FunnelRollup.CompactAsync(db, ct));
        // The folds' rows are saved: later saves (the digests) need not walk them again.
        db.ChangeTracker.Clear();

        var expired = await Phases.TimeAsync("expiry", () => ExpireReferralsAsync(tenant.Id, StartOfLocalDay(today.AddDays(-tenant.ReferralExpiryDays + 1)), now, ct));

        // The indicators move with the calendar (the last 30 days, the term) even without an import: refreshed first.
        await Phases.TimeAsync("indicator refresh", () => indicators.RefreshAsync(today, ct));
        (FlagKind Kind, IQueryable<Subject> Rule)[] rules =
        [
            (FlagKind.UnmetNeed, UnmetNeeds(db, today.AddDays(-tenant.UnmetNeedDays))),
            (FlagKind.NoResponse, NoResponse(db, StartOfLocalDay(today.AddDays(-tenant.NoResponseDays + 1)))),
            (FlagKind.Stalled, Stalled(db, StartOfLocalDay(today.AddDays(-tenant.StalledDays + 1)))),
            (FlagKind.ReviewOverdue, ReviewOverdue(db, today)),
            (FlagKind.IndicatorWithoutPlan, IndicatorWithoutPlan(db)),
            (FlagKind.NotImproving, NotImproving(db, today.AddDays(-NotImprovingAfterDays))),
        ];

        // Opening and resolving commit together: a crash between them leaves the previous night's state. Both are
        // set-based statements over each rule's query, so no subject is read into memory (50,000 children: tens of
        // thousands of flags on the first night) and a retry compares against what is committed.
        var (opened, resolved) = await db.InTransactionAsync(async ct =>
        {
            var (opened, resolved) = (0, 0);
            // Each rule's query runs once, into a temporary table of this connection, which both writes read
            // (FlagWrites); the transaction keeps the connection, so the table lives until it is dropped.
            var sqlServer = db.Database.IsSqlServer();
            await db.Database.ExecuteSqlRawAsync(FlagWrites.CreateSubjectsSql(sqlServer), ct);
            foreach (var (kind, rule) in rules)
            {
                var writes = FlagWrites.For(db, kind, rule, tenant.Id, today, now);
                await Phases.TimeAsync($"rule {kind}", async () =>
                {
                    await db.Database.ExecuteSqlRawAsync(writes.Fill.Sql, writes.Fill.Parameters, ct);
                    resolved += await db.Database.ExecuteSqlRawAsync(writes.Resolve.Sql, writes.Resolve.Parameters, ct);
                    opened += await db.Database.ExecuteSqlRawAsync(writes.Open.Sql, writes.Open.Parameters, ct);
                });
            }
            await db.Database.ExecuteSqlRawAsync(FlagWrites.DropSubjectsSql(sqlServer), ct);
            return (opened, resolved);
        }, ct);

        int digests;
        using (AppMetrics.Activities.StartActivity(TelemetryNames.DigestActivity))
            digests = await QueueDigestsAsync(tenant, today, ct);
        var stillOpen = await Phases.TimeAsync("open count", () => db.Flags.CountAsync(f => f.ResolvedAt == null, ct));
        return $"{opened} new flag(s), {resolved} resolved, {stillOpen} open; {expired} referral(s) expired; {digests} digest(s) queued.";
    }

    /// <summary>
    /// What a flag is about: a need, a referral or a plan, its child, and the flag's summary. Built by member
    /// initialisation, so that <see cref="FlagWrites"/> can select its members from a rule's query in SQL.
    /// </summary>
    public sealed record Subject
    {
        public int Id { get; init; }
        public int StudentId { get; init; }
        public string? Summary { get; init; }
    }

    // The rules, one query each (public so their SQL Server translation is tested without a server).

    /// <summary>
    /// Open needs of active plans with nothing under way, identified on or before <paramref name="unmetSince"/> or whose
    /// referral ended without help. Where the need's referrals stand is the need's own <see cref="PlanItem.ReferralState"/>
    /// (kept by the database with every referral write), so the rule is one range scan of an index, not two probes of the
    /// referrals for each of 100,000 open needs.
    /// </summary>
    public static IQueryable<Subject> UnmetNeeds(AppDbContext db, DateOnly unmetSince) => db.PlanItems
        .Where(i => i.Kind == PlanItemKind.Need && i.Status == NeedStatus.Open)
        // A need with a referral under way is being met; one whose provider reports the goal met waits only
        // for the coordinator's confirmation: neither is unmet (both are UnderWay).
        .Where(i => i.ReferralState == NeedReferralState.EndedWithoutHelp
                    || (i.ReferralState == NeedReferralState.None && i.IdentifiedOn <= unmetSince))
        .Where(i => i.Plan.Status == PlanStatus.Active && i.Plan.Student.Status == StudentStatus.Active)
        .Select(i => new Subject { Id = i.Id, StudentId = i.Plan.StudentId, Summary = i.Description });

    /// <summary>Referrals sent before <paramref name="sentBefore"/> and still unanswered.</summary>
    public static IQueryable<Subject> NoResponse(AppDbContext db, DateTime sentBefore) => db.Referrals
        .Where(r => r.Status == ReferralStatus.Sent && r.SentAt < sentBefore)
        .Select(r => new Subject { Id = r.Id, StudentId = r.StudentId, Summary = r.Service.Name + " (" + r.Organization.Name + ")" });

    /// <summary>Referrals accepted before <paramref name="acceptedBefore"/> with no service delivered.</summary>
    public static IQueryable<Subject> Stalled(AppDbContext db, DateTime acceptedBefore) => db.Referrals
        .Where(r => r.Status == ReferralStatus.Accepted && r.AnsweredAt < acceptedBefore && !r.Deliveries.Any())
        .Select(r => new Subject { Id = r.Id, StudentId = r.StudentId, Summary = r.Service.Name + " (" + r.Organization.Name + ")" });

    /// <summary>Active plans of active children whose review was due before <paramref name="today"/>.</summary>
    public static IQueryable<Subject> ReviewOverdue(AppDbContext db, DateOnly today) => db.Plans
        .Where(p => p.Status == PlanStatus.Active && p.NextReviewDue < today && p.Student.Status == StudentStatus.Active)
        .Select(p => new Subject { Id = p.Id, StudentId = p.StudentId, Summary = "Review was due " + p.NextReviewDue });

    /// <summary>
    /// The last 30 days in a worse band than the school year so far, the one statement of it for both rules. Bands are
    /// compared as the pairs they are (stored as names, whose order in SQL is the alphabet's, not the bands').
    /// </summary>
    private static readonly Expression<Func<StudentIndicators, bool>> RecentlyWorse = i =>
        (i.YearBand == AttendanceBand.Satisfactory && (i.RecentBand == AttendanceBand.AtRisk || i.RecentBand == AttendanceBand.Chronic || i.RecentBand == AttendanceBand.Severe))
        || (i.YearBand == AttendanceBand.AtRisk && (i.RecentBand == AttendanceBand.Chronic || i.RecentBand == AttendanceBand.Severe))
        || (i.YearBand == AttendanceBand.Chronic && i.RecentBand == AttendanceBand.Severe);

    /// <summary>In the worst band this school year, or <see cref="RecentlyWorse"/>.</summary>
    private static readonly Expression<Func<StudentIndicators, bool>> SevereOrRecentlyWorse = Expression.Lambda<Func<StudentIndicators, bool>>(
        Expression.OrElse(
            Expression.Equal(Expression.Property(RecentlyWorse.Parameters[0], nameof(StudentIndicators.YearBand)), Expression.Constant(AttendanceBand.Severe, typeof(AttendanceBand?))),
            RecentlyWorse.Body),
        RecentlyWorse.Parameters);

    /// <summary>
    /// Active children in the worst attendance band this school year, or whose last 30 days fall in a worse band than the
    /// year so far, with no open need in their active plan (attendance has no domain of its own: any open need is a plan
    /// for it). The subject is the child.
    /// </summary>
    public static IQueryable<Subject> IndicatorWithoutPlan(AppDbContext db) => db.StudentIndicators
        .Where(i => i.Student.Status == StudentStatus.Active)
        .Where(SevereOrRecentlyWorse)
        .Where(i => !db.PlanItems.Any(n => n.Plan.StudentId == i.StudentId && n.Plan.Status == PlanStatus.Active && n.Kind == PlanItemKind.Need && n.Status == NeedStatus.Open))
        .Select(i => new Subject { Id = i.StudentId, StudentId = i.StudentId, Summary = i.YearBand == AttendanceBand.Severe
            ? "Severely chronically absent this school year, and no open need in the plan"
            : "Attendance in the last 30 days is in a worse band than the school year, and no open need in the plan" });

    /// <summary>Days of service before attendance is expected to show it: the "last 30 days" all lie after services began.</summary>
    public const int NotImprovingAfterDays = 30;

    /// <summary>
    /// Open needs of active plans whose services began (first delivery) on or before <paramref name="servicesBegunBy"/>,
    /// while the child's attendance in the last 30 days, all of it since then, is in a worse band than the school year so
    /// far. The subject is the need: the coordinator reviews whether its help is the right help.
    /// </summary>
    public static IQueryable<Subject> NotImproving(AppDbContext db, DateOnly servicesBegunBy) => db.PlanItems
        .Where(n => n.Kind == PlanItemKind.Need && n.Status == NeedStatus.Open && n.Plan.Status == PlanStatus.Active && n.Plan.Student.Status == StudentStatus.Active)
        // The child's attendance first (one probe, and most children are not worse), then the need's first delivery through
        // its referrals: read from the deliveries side, SQLite walked the tenant's deliveries by date for each need (160 s
        // of CPU at 50,000 students, issue 15).
        .Where(n => db.StudentIndicators.Where(RecentlyWorse).Any(i => i.StudentId == n.Plan.StudentId))
        .Where(n => db.Referrals.Where(r => r.NeedId == n.Id).Min(r => r.Deliveries.Min(d => (DateOnly?)d.DeliveredOn)) <= servicesBegunBy)
        .Select(n => new Subject { Id = n.Id, StudentId = n.Plan.StudentId, Summary = "Attendance in the last 30 days is worse than the school year, after services began for: " + n.Description });

    /// <summary>
    /// Sent referrals with no answer within the tenant's window expire, each transition recorded: one UPDATE, and the
    /// history rows built in SQL from the rows it changed (<see cref="ExpiryHistorySql"/>), so nothing is read into
    /// memory however many expire. Only rows still Sent change: a provider who answered a moment ago keeps the answer.
    /// </summary>
    private async Task<int> ExpireReferralsAsync(int tenantId, DateTime sentBefore, DateTime now, CancellationToken ct)
    {
        return await db.InTransactionAsync(async ct =>
        {
            // Most nights most tenants have nothing to expire: one probe of the index on SentAt, and nothing is written.
            var unanswered = db.Referrals.Where(r => r.Status == ReferralStatus.Sent && r.SentAt < sentBefore);
            if (!await unanswered.AnyAsync(ct)) return 0;
            // One new version for the rows this run expires: it tells them apart for their history rows.
            var version = Guid.NewGuid();
            var sqlServer = db.Database.IsSqlServer();
            // As EF stores a Guid: upper-case text on SQLite.
            var storedVersion = sqlServer ? (object)version : version.ToString().ToUpperInvariant();
            // SQLite's need-state trigger runs once a row, in the referrals' scattered order: the expiry defers it for the
            // rows it writes and sets their needs' states in one statement (migration ExpiryNeedStates). SQL Server's
            // trigger runs once a statement already.
            if (!sqlServer) await db.Database.ExecuteSqlRawAsync(DeferNeedStatesSql, new object[] { storedVersion }, ct);
            var expired = await unanswered
                .ExecuteUpdateAsync(u => u.SetProperty(r => r.Status, ReferralStatus.Expired).SetProperty(r => r.ClosedAt, now).SetProperty(r => r.Version, version), ct);
            if (!sqlServer)
                await db.Database.ExecuteSqlRawAsync(expired == 0 ? UndeferNeedStatesSql : UndeferNeedStatesSql + ExpiredNeedStatesSql, new object[] { tenantId, storedVersion }, ct);
            if (expired == 0) return 0;
            await db.Database.ExecuteSqlRawAsync(ExpiryHistorySql(sqlServer), new object[] { tenantId, now, storedVersion, ExpiredBy, ExpiryNote }, ct);
            return expired;
        }, ct);
    }

    /// <summary>SQLite: the expiry's version, listed so that the need-state trigger skips the rows it writes (placeholder 0).</summary>
    private const string DeferNeedStatesSql = "INSERT INTO \"NeedStateDeferrals\" (\"Version\") VALUES ({0});";

    /// <summary>SQLite, after the expiry's UPDATE: its version unlisted again, before the commit, so no other writer ever skips the trigger (placeholder 1).</summary>
    private const string UndeferNeedStatesSql = "DELETE FROM \"NeedStateDeferrals\" WHERE \"Version\" = {1}; ";

    /// <summary>
    /// SQLite, when the expiry changed any row: the states of the needs of the referrals it expired, in one statement
    /// (placeholders: 0 tenant, 1 the version it wrote).
    /// </summary>
    private const string ExpiredNeedStatesSql = "UPDATE \"PlanItems\" SET \"ReferralState\" = " + NeedStateSql
        + " WHERE \"TenantId\" = {0} AND \"Id\" IN (SELECT r.\"NeedId\" FROM \"Referrals\" AS r WHERE r.\"TenantId\" = {0} AND r.\"Version\" = {1} AND r.\"Status\" = 'Expired');";

    /// <summary>
    /// Where a need's referrals stand (<see cref="NeedReferralState"/>), as SQLite's need-state triggers set it for the row
    /// "PlanItems" (migrations NightlyIncremental and ExpiryNeedStates; a test holds this text to theirs).
    /// </summary>
    public const string NeedStateSql = """
        CASE
          WHEN EXISTS (SELECT 1 FROM "Referrals" AS r WHERE r."TenantId" = "PlanItems"."TenantId" AND r."NeedId" = "PlanItems"."Id"
            AND (r."Status" IN ('Sent', 'Accepted', 'InService') OR (r."Status" = 'Completed' AND r."Outcome" = 'GotHelp'))) THEN 'UnderWay'
          WHEN EXISTS (SELECT 1 FROM "Referrals" AS r WHERE r."TenantId" = "PlanItems"."TenantId" AND r."NeedId" = "PlanItems"."Id"
            AND r."Status" IN ('Declined', 'Expired', 'ClosedUnsuccessful')) THEN 'EndedWithoutHelp'
          ELSE 'None' END
        """;

    private const string ExpiredBy = "nightly check";
    private const string ExpiryNote = "No answer within the tenant's window";

    /// <summary>
    /// The referral's and the child's history rows of the referrals the expiry just changed (placeholders: 0 tenant,
    /// 1 time, 2 the version the expiry wrote, 3 user name, 4 note), INSERT ... SELECT; public: its T-SQL is parsed in the tests.
    /// </summary>
    public static string ExpiryHistorySql(bool sqlServer)
    {
        const string expired = "FROM \"Referrals\" AS r WHERE r.\"TenantId\" = {0} AND r.\"Version\" = {2} AND r.\"Status\" = 'Expired'";
        // SQLite: a new version per row in EF's Guid text form (hex() is upper-case), as OneRosterImporter writes them.
        var newVersion = sqlServer ? "NEWID()"
            : "hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(6))";
        var details = sqlServer ? "CONCAT(N'Referral #', r.\"Id\", N': no answer in time')" : "'Referral #' || r.\"Id\" || ': no answer in time'";
        return "INSERT INTO \"ReferralEvents\" (\"TenantId\", \"ReferralId\", \"From\", \"To\", \"At\", \"UserName\", \"Note\", \"Version\") "
            + $"SELECT r.\"TenantId\", r.\"Id\", 'Sent', 'Expired', {{1}}, {{3}}, {{4}}, {newVersion} {expired}; "
            + "INSERT INTO \"StudentEvents\" (\"TenantId\", \"StudentId\", \"At\", \"UserName\", \"Action\", \"Details\", \"Version\") "
            + $"SELECT r.\"TenantId\", r.\"StudentId\", {{1}}, {{3}}, 'referral expired', {details}, {newVersion} {expired};";
    }

    /// <summary>
    /// The access log entries of one digest, one per child it names (placeholders: 0 tenant, 1 time, 2 user id, 3 name,
    /// 4 role, 5 path, 6 the children's ids as a JSON array): one INSERT ... SELECT a coordinator, not thousands of
    /// rows sent one by one; public: its T-SQL is parsed in the tests.
    /// </summary>
    public static string DigestAccessLogSql(bool sqlServer) =>
        "INSERT INTO \"AccessLogEntries\" (\"TenantId\", \"At\", \"UserId\", \"ActorName\", \"Role\", \"Action\", \"StudentId\", \"Path\") "
        + $"SELECT {{0}}, {{1}}, {{2}}, {{3}}, {{4}}, '{nameof(SuccessPlans.Features.Audit.AccessAction.DigestEmail)}', "
        + (sqlServer ? "CAST(j.[value] AS int), {5} FROM OPENJSON({6}) AS j" : "j.value, {5} FROM json_each({6}) AS j");

    /// <summary>
    /// The flags a digest names of each kind, the first by the child's name; the others are counted, with a link to the
    /// worklist, which pages them. A first check of 50,000 children opens ~1,800 flags a coordinator: an email naming
    /// them all is read by nobody, and reading and writing them all was 4 s of that night's CPU.
    /// </summary>
    public const int DigestNamesPerKind = 50;

    private sealed record DigestCount(int SchoolId, FlagKind Kind, int Count, int New);

    /// <summary>An open flag as the digest shows it: its school, and the child's name.</summary>
    private sealed class OpenFlag
    {
        public int SchoolId { get; init; }
        public FlagKind Kind { get; init; }
        public DateOnly FirstSeenOn { get; init; }
        public string? Summary { get; init; }
        public int StudentId { get; init; }
        public string GivenName { get; init; } = "";
        public string FamilyName { get; init; } = "";
    }

    /// <summary>A named flag as <see cref="DigestNamedSql"/> reads it: the kind as stored (its name).</summary>
    private sealed class NamedFlag
    {
        public int SchoolId { get; init; }
        public string Kind { get; init; } = "";
        public DateOnly FirstSeenOn { get; init; }
        public string? Summary { get; init; }
        public int StudentId { get; init; }
        public string GivenName { get; init; } = "";
        public string FamilyName { get; init; } = "";
    }

    private static IQueryable<OpenFlag> OpenFlags(AppDbContext db) => db.Flags.AsNoTracking().Where(f => f.ResolvedAt == null && f.DismissedAt == null)
        .Join(db.Students, f => f.StudentId, s => s.Id, (f, s) => new OpenFlag
        {
            SchoolId = s.SchoolId, Kind = f.Kind, FirstSeenOn = f.FirstSeenOn, Summary = f.Summary, StudentId = f.StudentId, GivenName = s.GivenName, FamilyName = s.FamilyName,
        });

    /// <summary>
    /// The first <see cref="DigestNamesPerKind"/> open flags of each school and kind by the child's name, around EF's
    /// own (tenant-filtered) SQL of <see cref="OpenFlags"/>, whose columns are its members' names, with its parameters:
    /// one window function in the database instead of every open flag read into the app (public: its T-SQL is parsed
    /// in the tests).
    /// </summary>
    public static FlagWrites.Statement DigestNamedSql(AppDbContext db)
    {
        using var command = OpenFlags(db).CreateDbCommand();
        var parameters = command.Parameters.Cast<System.Data.Common.DbParameter>().ToList();
        // A parameter belongs to one command: taken off EF's, for the statement's own.
        command.Parameters.Clear();
        const string columns = "\"SchoolId\", \"Kind\", \"FirstSeenOn\", \"Summary\", \"StudentId\", \"GivenName\", \"FamilyName\"";
        return new($"SELECT {columns} FROM (SELECT {columns}, "
            + "ROW_NUMBER() OVER (PARTITION BY \"SchoolId\", \"Kind\" ORDER BY \"FamilyName\", \"GivenName\", \"StudentId\") AS \"Row\" "
            + $"FROM ({command.CommandText}) AS o) AS t WHERE t.\"Row\" <= {DigestNamesPerKind}", parameters);
    }

    /// <summary>
    /// One email a day per coordinator with open flags in their schools; none when there is nothing to say. The database
    /// counts the open flags of each school and kind, and gives the first <see cref="DigestNamesPerKind"/> of each by the
    /// child's name (only what the texts show); then one coordinator at a time: their email and their access log entries
    /// (one per child it names, one INSERT ... SELECT) saved, and the change tracker cleared. All digests commit
    /// together. (A query of the open flags per coordinator was tried: SQLite walks every open flag for each.)
    /// </summary>
    private async Task<int> QueueDigestsAsync(Tenant tenant, DateOnly today, CancellationToken ct)
    {
        var coordinators = (await Phases.TimeAsync("digest: coordinators", () => db.Users.Where(u => u.Role == UserRole.Coordinator && u.Email != null)
            .Where(u => !db.DigestsSent.Any(d => d.UserId == u.Id && d.On == today && d.Kind == DigestKind.Flags))
            .Select(u => new { u.Id, u.Email, u.DisplayName, u.LockoutEnd, u.Language, Schools = u.CoordinatorSchools.Select(c => c.SchoolId).ToList() })
            .ToListAsync(ct)))
            // Deactivated coordinators get no mail (lockout is compared here: SQLite cannot compare DateTimeOffset).
            .Where(u => u.LockoutEnd is null || u.LockoutEnd < time.GetUtcNow()).ToList();
        if (coordinators.Count == 0) return 0;

        var counts = (await Phases.TimeAsync("digest: counts", () => OpenFlags(db).GroupBy(f => new { f.SchoolId, f.Kind })
            .Select(g => new DigestCount(g.Key.SchoolId, g.Key.Kind, g.Count(), g.Count(f => f.FirstSeenOn == today))).ToListAsync(ct)))
            .ToLookup(c => c.SchoolId);
        var named = DigestNamedSql(db);
        var firsts = (await Phases.TimeAsync("digest: flags named", () => db.Database.SqlQueryRaw<NamedFlag>(named.Sql, named.Parameters.ToArray<object>()).ToListAsync(ct)))
            .ToLookup(f => (f.SchoolId, Kind: Enum.Parse<FlagKind>(f.Kind)));
        using var phase = Phases.Start("digest: texts and writes, a coordinator at a time");
        try
        {
            // The digests, their emails and their access log entries commit together; a retried attempt starts from a
            // cleared change tracker and writes them all again.
            return await db.InTransactionAsync(async ct =>
            {
                var sql = DigestAccessLogSql(db.Database.IsSqlServer());
                var queued = 0;
                foreach (var c in coordinators)
                {
                    var schools = c.Schools.Distinct().ToList();
                    var kinds = schools.SelectMany(s => counts[s]).GroupBy(k => k.Kind).OrderBy(g => g.Key)
                        .Select(g => (Kind: g.Key, Count: g.Sum(k => k.Count), New: g.Sum(k => k.New))).ToList();
                    var total = kinds.Sum(k => k.Count);
                    if (total == 0) continue;
                    // In the coordinator's language, the flags' summaries too (translated as the screens do: Labels.FlagSummary).
                    using var language = EmailLanguage.Use(c.Language);
                    var newToday = kinds.Sum(k => k.New);
                    var text = new StringBuilder($"{EmailLanguage.T("Good morning {0},", c.DisplayName)}\n\n{EmailLanguage.T("The nightly check of {0} found {1} open flag(s) for your schools ({2} new today).", tenant.Name, total, newToday)}\n");
                    var html = new StringBuilder($"<p>{EmailLanguage.T("Good morning {0},", WebUtility.HtmlEncode(c.DisplayName))}</p><p>{EmailLanguage.T("The nightly check of {0} found {1} open flag(s) for your schools ({2} new today).", WebUtility.HtmlEncode(tenant.Name), total, newToday)}</p>");
                    // Translated once a digest, not once a flag.
                    var newMark = " " + EmailLanguage.T("[new]");
                    using var htmlWriter = new StringWriter(html, System.Globalization.CultureInfo.InvariantCulture);
                    var children = new HashSet<int>();
                    foreach (var (kind, count, _) in kinds)
                    {
                        text.Append($"\n{Labels.Words(kind)} ({count})\n");
                        html.Append($"<h3>{Labels.Words(kind)} ({count})</h3><ul>");
                        // The first of each school, merged: the first of the coordinator's schools together. Names the database
                        // orders otherwise than this culture (case, accents) may change which are named; the counts stay exact.
                        var shown = schools.SelectMany(s => firsts[(s, kind)]).OrderBy(f => f.FamilyName).ThenBy(f => f.GivenName).ThenBy(f => f.StudentId)
                            .Take(DigestNamesPerKind).ToList();
                        foreach (var f in shown)
                        {
                            children.Add(f.StudentId);
                            var link = urls.Student(f.StudentId);
                            var summary = Labels.FlagSummary(f.Summary);
                            var isNew = f.FirstSeenOn == today ? newMark : "";
                            text.Append($"- {f.GivenName} {f.FamilyName}: {summary}{isNew}  {link}\n");
                            // Encoded straight into the builder: no encoded copy of each name, link and summary.
                            html.Append("<li><a href=\"");
                            WebUtility.HtmlEncode(link, htmlWriter);
                            html.Append("\">");
                            WebUtility.HtmlEncode(f.GivenName, htmlWriter);
                            html.Append(' ');
                            WebUtility.HtmlEncode(f.FamilyName, htmlWriter);
                            html.Append("</a>: ");
                            WebUtility.HtmlEncode(summary, htmlWriter);
                            html.Append(isNew).Append("</li>");
                        }
                        html.Append("</ul>");
                        if (count > shown.Count)
                        {
                            // The rest are on the worklist, filtered to the kind.
                            var more = EmailLanguage.T("... and {0} more in SuccessPlans:", count - shown.Count);
                            var worklist = urls.For($"/Home/Coordinator?Kind={kind}#flags");
                            text.Append($"{more} {worklist}\n");
                            html.Append("<p><a href=\"");
                            WebUtility.HtmlEncode(worklist, htmlWriter);
                            html.Append("\">");
                            WebUtility.HtmlEncode(more.TrimEnd(':'), htmlWriter);
                            html.Append("</a></p>");
                        }
                    }
                    // The email names each child: the recipient received their record (access log), saved with the email itself.
                    var recipient = new SuccessPlans.Features.Audit.AccessActor(c.Id, c.DisplayName, Roles.Coordinator, null, null);
                    var entry = accessLog.Entry(recipient, SuccessPlans.Features.Audit.AccessAction.DigestEmail, null, "nightly digest email");
                    var students = "[" + string.Join(',', children) + "]";
                    var subject = EmailLanguage.T("SuccessPlans: {0} open flag(s) for {1}", total, Readable.Date(today));
                    db.DigestsSent.Add(new DigestSent { UserId = c.Id, On = today });
                    outbox.Enqueue("digest", c.Email!, c.DisplayName, subject, text.ToString(), html.ToString(), c.Id);
                    await db.SaveChangesAsync(ct);
                    await db.Database.ExecuteSqlRawAsync(sql, new object?[] { tenant.Id, entry.At, entry.UserId, entry.ActorName, entry.Role, entry.Path, students }!, ct);
                    // This coordinator's email is saved: its texts and rows need not stay in memory.
                    db.ChangeTracker.Clear();
                    queued++;
                }
                return queued;
            }, ct);
        }
        catch (DbUpdateException)
        {
            // Another run queued today's digests at the same moment; its emails stand, these are dropped.
            db.ChangeTracker.Clear();
            return 0;
        }
    }

    private static string? Truncate(string? s) => s is null ? null : s.Length <= 1000 ? s : s[..1000];
}
