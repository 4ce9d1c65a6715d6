using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SuccessPlans.Data;
using SuccessPlans.Tenancy;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Indicators;
using SuccessPlans.Features.Plans;

namespace SuccessPlans.Features.Cabinet;

/// <summary>
/// One row of outcomes: of the children served whose attendance could be compared (measured), how many moved to a better
/// band, stayed in theirs or moved to a worse one. Shares are whole percents of the measured children, and only when
/// neither the count nor the measured total is suppressed.
/// </summary>
public sealed record OutcomeRow(string Label, Figure Measured, Figure Improved, Figure Stayed, Figure Worsened)
{
    public int? ImprovedPercent => Share(Improved);
    public int? StayedPercent => Share(Stayed);
    public int? WorsenedPercent => Share(Worsened);

    private int? Share(Figure f) => f.Value is { } v && Measured.Value is { } m && m > 0 ? (int)Math.Round(v * 100.0 / m, MidpointRounding.AwayFromZero) : null;

    internal IReadOnlyList<Figure> Bands => [Improved, Stayed, Worsened];
}

public sealed record OutcomeTable(string Key, string Title, string Dimension, IReadOnlyList<OutcomeRow> Rows, OutcomeRow Total);

/// <summary>The cabinet's outcomes for a period: counts of children and shares, every one suppressed where small; never a child.</summary>
public sealed record Outcomes(DateOnly From, DateOnly To, string PeriodLabel, int Threshold, Figure ChildrenServed, OutcomeRow Total, IReadOnlyList<OutcomeTable> Tables)
{
    public OutcomeTable Table(string key) => Tables.Single(t => t.Key == key);
}

/// <summary>
/// Whether the children served in a period came to school more (docs/cabinet-periods.md, "Outcomes"). For each child with a
/// service in the period, from the <see cref="DeliveryYear"/> rollup: the attendance band of the 30 days before the first
/// month with a service in the period (wholly before any service of the period), against the band of the last 30 days of the
/// period (up to today when the period has not ended). A child is measured when the second window starts after the first
/// month of service began and each window has at least <see cref="IndicatorSummary.MinDaysForBand"/> instructional days.
/// Breakdowns by the domain, school and service tier of the child's services in the period (a child served in two domains
/// counts in both). Suppressed by <see cref="Suppression"/> down each column and across each row, until nothing changes.
/// The counts are the same for every reader of a tenant, so they are kept in <see cref="CabinetFiguresCache"/> as the
/// report's figures are (issue 15: the page as a lookup), under the delivery rollup's version and the tenant's
/// <see cref="SuccessPlans.Features.Tenants.Tenant.OutcomesVersion"/>, read with the tenant's settings in one command per
/// request; names, labels and suppression are applied at each request, in the reader's language.
/// </summary>
public sealed class CabinetOutcomes(AppDbContext db, CurrentTenant currentTenant, CabinetFiguresCache cache)
{
    public const int WindowDays = 30;

    // A served child: the breakdowns as bits (domains and tiers are a handful of values; bit 0 of the tiers is "no tier
    // given"), the school as one id (a child changes school seldom): the first request after a delivery builds 6,400 of
    // these at 10,000 children, which with three hash sets each was most of its garbage (issue 15).
    internal sealed class Child
    {
        public DateOnly FirstMonth { get; set; } = DateOnly.MaxValue;
        public int Domains { get; set; }
        public int Tiers { get; set; }
        public int? School { get; set; }
        public List<int>? OtherSchools { get; set; }
        public int? Change { get; set; } // -1 improved, 0 stayed, 1 worsened; null not measured

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void AddSchool(int school)
        {
            if (School is null) School = school;
            else if (school != School && !(OtherSchools ??= []).Contains(school)) OtherSchools.Add(school);
        }
    }

    /// <summary>The breakdowns of the tallies: the total (value 0), the domain's number, the school's id, the tier's number (-1: none).</summary>
    internal enum Dimension { Total, Domain, School, Tier }

    /// <summary>Children measured, improved, stayed and worsened for one value of a breakdown.</summary>
    internal sealed record Counts(long Measured, long Improved, long Stayed, long Worsened);

    /// <summary>A period's outcomes before names, labels and suppression: what the cache keeps (written once, then only read).</summary>
    internal sealed record Tallies(long ChildrenServed, bool AnyWithoutTier, IReadOnlyDictionary<(Dimension, int), Counts> Cells)
    {
        public Counts this[Dimension dimension, int value] => Cells.GetValueOrDefault((dimension, value)) ?? new Counts(0, 0, 0, 0);
    }

    /// <summary>The tenant's settings the outcomes depend on, and the versions of what they read: one command per request.</summary>
    public sealed record Head(int Threshold, int Satisfactory, int AtRisk, int Chronic, long OutcomesVersion, long? ChangeMax, int Changes);

    // As CabinetReport's head: compiled, the subqueries naming the outer row. Of the delivery rollup the outcomes read only
    // which months each child was served in, under which domain, school and tier; a delivery notes the child in
    // ServedChanges only when it changes those (the child's first service in a month under a referral). A further session
    // in a month the child was already served in notes nothing and keeps the outcomes, and that is most deliveries.
    // The newest note and the count: a note committed late (below the newest) or removed by the nightly prune changes the
    // count, so the notes after the last computation's newest are all that changed exactly when the counts agree.
    private static readonly Expression<Func<AppDbContext, IQueryable<Head>>> HeadExpression = db =>
        db.Tenants.Select(t => new Head(t.SuppressionThreshold, t.AttendanceSatisfactoryPercent, t.AttendanceAtRiskPercent, t.AttendanceChronicPercent, t.OutcomesVersion,
            db.ServedChanges.Where(c => c.TenantId == t.Id).Max(c => (long?)c.Id), db.ServedChanges.Count(c => c.TenantId == t.Id)));

    public static IQueryable<Head> HeadQuery(AppDbContext db) => HeadExpression.Compile()(db);

    private static readonly Func<AppDbContext, CancellationToken, Task<Head>> ReadHead = EF.CompileAsyncQuery(
        Expression.Lambda<Func<AppDbContext, CancellationToken, Head>>(
            Expression.Call(typeof(Queryable), nameof(Queryable.Single), [typeof(Head)], HeadExpression.Body),
            HeadExpression.Parameters[0], Expression.Parameter(typeof(CancellationToken), "ct")));

    public async Task<Outcomes> BuildAsync(Period period, DateOnly today, CancellationToken ct = default)
    {
        var tenantId = currentTenant.TenantId ?? throw new TenantViolationException("The outcomes need a tenant in scope.");
        var head = await ReadHead(db, ct);
        var threshold = head.Threshold;
        var afterTo = period.To < today ? period.To : today;
        // Read before the counts, so counts cached under this version hold at least its writes.
        var key = new CabinetFiguresCache.OutcomesKey(tenantId, head.ChangeMax, head.Changes, head.OutcomesVersion, period.From, period.To, afterTo,
            head.Satisfactory, head.AtRisk, head.Chronic);
        if (cache.Get(key) is not { } tallies)
        {
            tallies = await TalliesAsync(head, period, afterTo, ct);
            cache.Store(key, tallies);
        }

        var schools = await db.Schools.OrderBy(s => s.Name).Select(s => new { s.Id, s.Name }).ToListAsync(ct);
        var tiers = Enum.GetValues<ServiceTier>().Select(t => ((int)t, Labels.Words(t))).ToList();
        if (tallies.AnyWithoutTier) tiers.Add((-1, Labels.T("Not given")));
        var total = Row("Total", tallies[Dimension.Total, 0]);
        var tables = new List<OutcomeTable>
        {
            new("domain", "Attendance of children served, by domain", "Domain", Enum.GetValues<Domain>().Select(d => Row(Labels.Words(d), tallies[Dimension.Domain, (int)d])).ToList(), total),
            new("school", "Attendance of children served, by school", "School", schools.Select(s => Row(s.Name, tallies[Dimension.School, s.Id])).ToList(), total),
            new("tier", "Attendance of children served, by service tier", "Service tier", tiers.Select(t => Row(t.Item2, tallies[Dimension.Tier, t.Item1])).ToList(), total),
        };
        Suppress(tables, total, threshold);
        var served = new Figure(tallies.ChildrenServed, tallies.ChildrenServed);
        if (Suppression.IsSmall(served.Children, threshold)) served.Suppressed = true;
        return new Outcomes(period.From, period.To, period.Label, threshold, served, total, tables);
    }

    /// <summary>
    /// At most this many children changed since the last computation are worked out again one by one; more, and all are
    /// (one parameter each in <see cref="ServedRowsOf"/>: SQL Server takes at most 2,100).
    /// </summary>
    public const int MaxChangedChildren = 1_000;

    /// <summary>
    /// Each served child of a period with its change of band (written once, then only read): what the last computation
    /// found, under the notes it had seen (<see cref="Head.ChangeMax"/>, <see cref="Head.Changes"/>), so that the next one
    /// works out again only the children noted since.
    /// </summary>
    internal sealed record Served(long? ChangeMax, int Changes, IReadOnlyDictionary<int, Child> Children);

    /// <summary>Each served child's change of band, counted per value of each breakdown: the work the cache saves.</summary>
    private async Task<Tallies> TalliesAsync(Head head, Period period, DateOnly afterTo, CancellationToken ct)
    {
        var thresholds = new IndicatorSummary.Thresholds(head.Satisfactory, head.AtRisk, head.Chronic);
        // Who was served, from when, in which domains, schools and tiers: the rollup alone (periods are whole months), each
        // row's months with a service as a mask of bits, August first, and the months of the period the same way.
        var end = period.To.AddDays(1);
        var (y1, y2) = (SchoolYears.For(period.From), SchoolYears.For(period.To));
        var inPeriod = new int[y2 - y1 + 1];
        for (var y = y1; y <= y2; y++)
            for (var i = 0; i < 12; i++)
                if (DeliveryYear.MonthAt(y, i) is var month && month >= period.From && month < end) inPeriod[y - y1] |= 1 << i;

        // The children are kept per period, band settings and version of attendance (not of the deliveries): after a
        // child's first service in a month, only the children noted since are read and measured again (a few rows, not
        // 40,000 and their bands at 50,000 students: issue 15).
        var servedKey = new CabinetFiguresCache.ServedKey(currentTenant.TenantId!.Value, head.OutcomesVersion, period.From, period.To, afterTo,
            head.Satisfactory, head.AtRisk, head.Chronic);
        Dictionary<int, Child> children;
        if (cache.Get(servedKey) is { } last && await ChangedSinceAsync(last, head, ct) is { } changed)
        {
            var again = new Dictionary<int, Child>();
            if (changed.Length > 0)
            {
                await ReadAsync(ServedRowsOf(db, changed, y1), again, inPeriod, y1, ct);
                if (again.Count > 0)
                    Measure(again, await AttendanceOfAsync(again.Keys, period, afterTo, head.OutcomesVersion, ct), afterTo, thresholds);
            }
            // The others as they were (their objects are shared with the last computation's and never written again).
            children = new Dictionary<int, Child>(last.Children);
            foreach (var id in changed) children.Remove(id);
            foreach (var (id, child) in again) children[id] = child;
        }
        else
        {
            children = new Dictionary<int, Child>();
            await ReadAsync(ServedRows(db, y1, y2), children, inPeriod, y1, ct);
            if (children.Count > 0)
                Measure(children, await AttendanceOfAsync(children.Keys, period, afterTo, head.OutcomesVersion, ct), afterTo, thresholds);
        }
        cache.Store(servedKey, new Served(head.ChangeMax, head.Changes, children));
        return Count(children);
    }

    /// <summary>
    /// The children noted as changed since the last computation, or null when that cannot be told (notes committed late
    /// below its newest, notes pruned, or more than <see cref="MaxChangedChildren"/>): then every child is worked out.
    /// </summary>
    private async Task<int[]?> ChangedSinceAsync(Served last, Head head, CancellationToken ct)
    {
        var added = head.Changes - last.Changes;
        var (after, upTo) = (last.ChangeMax ?? 0, head.ChangeMax ?? 0);
        if (added < 0 || added > MaxChangedChildren || upTo < after) return null;
        if (added == 0) return upTo == after ? [] : null;
        var notes = await ServedChanges.NotedBetween(db, after, upTo).ToListAsync(ct);
        // Every note counted now and not then must be after the newest seen then; one committed late below it, or one pruned, breaks the sum.
        return notes.Count == added ? notes.Distinct().ToArray() : null;
    }

    /// <summary>
    /// Rows of the delivery rollup into their children. EF's own SQL (the tenant's filter in it) read with its reader:
    /// 40,000 rows at 50,000 students, where EF's materialising enumerator cost 55 ms over SQLite's 13 (issue 15).
    /// </summary>
    private async Task ReadAsync(IQueryable<ServedRow> rows, Dictionary<int, Child> into, int[] inPeriod, int firstYear, CancellationToken ct)
    {
        await using var command = rows.CreateDbCommand();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var reader = await command.ExecuteReaderAsync(ct);
            // SQLite's reader has no asynchronous I/O: its ReadAsync only wraps Read, at a cost that showed over 40,000 rows.
            var sqlite = db.Database.IsSqlite();
            while (sqlite ? reader.Read() : await reader.ReadAsync(ct))
            {
                var child = reader.GetInt64(0);
                AddRow(into, (int)(child >> 32), (int)(child & 0xFFFFFFFF), reader.GetInt32(1), inPeriod, firstYear);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    // The loops over every served child below, and the app's methods they call, are optimised from their first call: the
    // outcomes are computed seldom (after a child's first service in a month), and tiered compilation kept them in
    // unoptimised code for tens of computations, each 2-3 times as long (issue 15: with tiered compilation off, the first
    // ones were as fast). The framework's generic code they call is the precompiled kind (dictionaries of int to a class).

    /// <summary>One row of the delivery rollup into its child: the first month served in the period, the breakdowns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddRow(Dictionary<int, Child> children, int studentId, int schoolId, int packed, int[] inPeriod, int firstYear)
    {
        var (monthBits, domainBit, tierBit, year) = Unpack(packed);
        if ((uint)year >= (uint)inPeriod.Length) return; // a changed child's row of another school year
        var months = monthBits & inPeriod[year];
        if (months == 0) return;
        ref var child = ref CollectionsMarshal.GetValueRefOrAddDefault(children, studentId, out _);
        child ??= new Child();
        var first = DeliveryYear.MonthAt(firstYear + year, System.Numerics.BitOperations.TrailingZeroCount(months));
        if (first < child.FirstMonth) child.FirstMonth = first;
        child.Domains |= domainBit;
        child.Tiers |= tierBit;
        child.AddSchool(schoolId);
    }

    /// <summary>Each child's change of band, where both windows can be compared.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Measure(Dictionary<int, Child> children, Attendance attendance, DateOnly afterTo, IndicatorSummary.Thresholds thresholds)
    {
        var afterFrom = afterTo.AddDays(1 - WindowDays);
        foreach (var (id, child) in children)
        {
            if (!attendance.TrySchoolOf(id, out var school) || afterFrom < child.FirstMonth) continue;
            var before = attendance.Band(school, id, child.FirstMonth.AddDays(-WindowDays), child.FirstMonth.AddDays(-1), thresholds);
            var after = attendance.Band(school, id, afterFrom, afterTo, thresholds);
            if (before is { } b && after is { } a) child.Change = Math.Sign((int)a - (int)b);
        }
    }

    /// <summary>The measured children counted per value of each breakdown.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Tallies Count(Dictionary<int, Child> children)
    {
        // Arrays, and schools by id to an array: a dictionary keyed by a tuple of value types is generic code that no
        // precompiled image holds, so it ran unoptimised for the first computations (issue 15); the result's dictionary
        // below is written once, some dozens of entries.
        var (total, domains, tiers) = (new long[4], new long[32 * 4], new long[32 * 4]);
        var schools = new Dictionary<int, long[]>();
        var anyWithoutTier = false;
        foreach (var child in children.Values)
        {
            anyWithoutTier |= (child.Tiers & 1) != 0;
            if (child.Change is not { } change) continue;
            // Four counts a value: measured, improved, stayed, worsened.
            var band = change < 0 ? 1 : change == 0 ? 2 : 3;
            Tally(total, 0, band);
            for (var bit = 0; bit < 32; bit++)
            {
                if ((child.Domains & (1 << bit)) != 0) Tally(domains, bit * 4, band);
                if ((child.Tiers & (1 << bit)) != 0) Tally(tiers, bit * 4, band);
            }
            if (child.School is { } school) Tally(SchoolCounts(schools, school), 0, band);
            if (child.OtherSchools is { } others) foreach (var s in others) Tally(SchoolCounts(schools, s), 0, band);
        }
        var cells = new Dictionary<(Dimension, int), Counts>();
        static Counts Of(long[] a, int at) => new(a[at], a[at + 1], a[at + 2], a[at + 3]);
        if (total[0] > 0) cells[(Dimension.Total, 0)] = Of(total, 0);
        for (var i = 0; i < 32; i++)
        {
            if (domains[i * 4] > 0) cells[(Dimension.Domain, i)] = Of(domains, i * 4);
            if (tiers[i * 4] > 0) cells[(Dimension.Tier, i - 1)] = Of(tiers, i * 4);
        }
        foreach (var (school, counts) in schools) cells[(Dimension.School, school)] = Of(counts, 0);
        return new Tallies(children.Count, anyWithoutTier, cells);
    }

    /// <summary>One measured child more at <paramref name="at"/>, and one more in its band's count after it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tally(long[] counts, int at, int band)
    {
        counts[at]++;
        counts[at + band]++;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static long[] SchoolCounts(Dictionary<int, long[]> schools, int school)
    {
        if (!schools.TryGetValue(school, out var counts)) schools[school] = counts = new long[4];
        return counts;
    }

    /// <summary>
    /// The attendance side of the outcomes for every student of the tenant, from 30 days before the period to the end of
    /// its second window: each student's school, each school's instructional days, each student's days with an absence.
    /// Kept per version of attendance, calendars and schools (<c>Tenant.OutcomesVersion</c>) but not of the deliveries, so
    /// the first request after a service is recorded (the common write) reads the delivery rollup only.
    /// </summary>
    internal sealed class Attendance(Dictionary<int, int> schoolOf, Dictionary<int, Attendance.Calendar> days, Dictionary<int, int[]> absent,
        Dictionary<int, int>? enrolledSince = null)
    {
        /// <summary>A school's instructional days, sorted and as a set (a class: dictionaries of it share precompiled code).</summary>
        internal sealed record Calendar(int[] Sorted, HashSet<int> Set);

        public IReadOnlyDictionary<int, int> SchoolOf => schoolOf;

        /// <summary>The student's school: as read with the attendance, or for a student enrolled since, as read after.</summary>
        public bool TrySchoolOf(int student, out int school) =>
            schoolOf.TryGetValue(student, out school) || (enrolledSince is not null && enrolledSince.TryGetValue(student, out school));

        /// <summary>The same attendance with the schools of students enrolled after it was read (this request's only).</summary>
        public Attendance With(Dictionary<int, int> schools) => new(schoolOf, days, absent, schools);

        /// <summary>The band of a window: the school's days in it (two binary searches), the child's absences on them.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public AttendanceBand? Band(int school, int student, DateOnly from, DateOnly to, IndicatorSummary.Thresholds thresholds)
        {
            var (f, t) = (from.DayNumber, to.DayNumber);
            if (!days.TryGetValue(school, out var d)) return IndicatorSummary.Rate(0, 0, thresholds).Band;
            var count = Index(d.Sorted, t, after: true) - Index(d.Sorted, f, after: false);
            var absences = 0;
            if (absent.TryGetValue(student, out var a))
                foreach (var day in a)
                    if (day >= f && day <= t && d.Set.Contains(day)) absences++;
            return IndicatorSummary.Rate(count, absences, thresholds).Band;
        }

        /// <summary>How many of the (distinct, sorted) days are before the day, or up to it when <paramref name="after"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static int Index(int[] sorted, int day, bool after)
        {
            var i = Array.BinarySearch(sorted, day);
            return i >= 0 ? (after ? i + 1 : i) : ~i;
        }
    }

    /// <summary>
    /// The attendance side for these children. A student enrolled after it was read moves no version (an insert is not a
    /// change of school), so a child served since who is missing from it has the school read now: with no absence
    /// recorded yet (any would have moved the version), the child is measured on the school's days alone.
    /// </summary>
    private async Task<Attendance> AttendanceOfAsync(IEnumerable<int> children, Period period, DateOnly afterTo, long version, CancellationToken ct)
    {
        var attendance = await AttendanceAsync(period, afterTo, version, ct);
        var missing = children.Where(id => !attendance.SchoolOf.ContainsKey(id)).ToList();
        if (missing.Count == 0) return attendance;
        return attendance.With(await db.Students.Where(s => missing.Contains(s.Id)).Select(s => new { s.Id, s.SchoolId }).ToDictionaryAsync(s => s.Id, s => s.SchoolId, ct));
    }

    private async Task<Attendance> AttendanceAsync(Period period, DateOnly afterTo, long version, CancellationToken ct)
    {
        var tenantId = currentTenant.TenantId!.Value;
        var earliest = period.From.AddDays(-WindowDays);
        var key = new CabinetFiguresCache.AttendanceKey(tenantId, version, earliest, afterTo);
        if (cache.Get(key) is { } kept) return kept;
        var schoolOf = await db.Students.Select(s => new { s.Id, s.SchoolId }).ToDictionaryAsync(s => s.Id, s => s.SchoolId, ct);
        var days = (await db.SchoolDays.Where(d => d.Date >= earliest && d.Date <= afterTo).Select(d => new { d.SchoolId, d.Date }).ToListAsync(ct))
            .GroupBy(d => d.SchoolId)
            .ToDictionary(g => g.Key, g => { var set = g.Select(d => d.Date.DayNumber).ToHashSet(); return new Attendance.Calendar(set.Order().ToArray(), set); });
        var absent = (await AbsenceDays(db, earliest, afterTo).ToListAsync(ct))
            .GroupBy(a => a.StudentId).ToDictionary(g => g.Key, g => g.Select(a => a.Date.DayNumber).ToArray());
        var attendance = new Attendance(schoolOf, days, absent);
        cache.Store(key, attendance);
        return attendance;
    }

    /// <summary>
    /// A row of the delivery rollup as the outcomes read it: the child and the school as one number (the child's id in
    /// the high 32 bits: one column fewer to read for each of 40,000 rows), and one number that packs the rest:
    /// the months with a service as bits 0-11 (August the lowest, <see cref="DeliveryYear.MonthsServed"/>), the domain's
    /// number in bits 12-15, the tier's number plus one in bits 16-19 (0: none given), the school year's offset from the
    /// first year read from bit 20, negative for a year before it (see <see cref="Unpack"/>). Sums of columns: SQLite
    /// computes them from the covering index for 40,000 rows in a third of the time the months' CASE expressions took.
    /// </summary>
    public sealed record ServedRow(long StudentAndSchool, int Packed);

    /// <summary>The parts of <see cref="ServedRow.Packed"/>, the domain and the tier as one bit each (bit 0 of the tiers: none given).</summary>
    internal static (int Months, int DomainBit, int TierBit, int YearOffset) Unpack(int packed) =>
        (packed & 0xFFF, 1 << ((packed >> 12) & 0xF), 1 << ((packed >> 16) & 0xF), packed >> 20);

    /// <summary>The delivery rollup's rows of the school years (public, so its SQL Server translation is tested).</summary>
    public static IQueryable<ServedRow> ServedRows(AppDbContext db, int fromYear, int toYear) =>
        Pack(db.DeliveryYears.Where(m => m.SchoolYear >= fromYear && m.SchoolYear <= toYear), fromYear);

    /// <summary>
    /// The rows of some children, of every school year (the reader skips the others): by the children alone, so that the
    /// database seeks each child's rows (IX_DeliveryYears_Child) instead of reading the years' range. The ids
    /// go as one parameter each, not as the app's usual one list parameter: SQLite without statistics took json_each's
    /// list for a scan and read the tenant's every row from the dashboard's index (a test records the plan).
    /// </summary>
    public static IQueryable<ServedRow> ServedRowsOf(AppDbContext db, IReadOnlyCollection<int> students, int fromYear) =>
        Pack(db.DeliveryYears.Where(m => EF.MultipleParameters(students).Contains(m.StudentId)), fromYear);

    private static IQueryable<ServedRow> Pack(IQueryable<DeliveryYear> rows, int fromYear) =>
        rows.Select(m => new ServedRow((long)m.StudentId * 4294967296L + m.SchoolId,
            m.MonthsServed + (int)m.Domain * (1 << 12) + (((int?)m.Tier ?? -1) + 1) * (1 << 16) + (m.SchoolYear - fromYear) * (1 << 20)));

    /// <summary>Days with an absence (several events on a day count once), of every student (public, so its SQL Server translation is tested).</summary>
    public static IQueryable<StudentDay> AbsenceDays(AppDbContext db, DateOnly from, DateOnly to) =>
        db.AttendanceEvents.Where(e => e.Date >= from && e.Date <= to && AttendanceEvent.Absences.Contains(e.Category))
            .Select(e => new StudentDay(e.StudentId, e.Date)).Distinct();

    public sealed record StudentDay(int StudentId, DateOnly Date);

    private static OutcomeRow Row(string label, Counts counts)
    {
        Figure Of(long n) => new(n, n);
        return new OutcomeRow(label, Of(counts.Measured), Of(counts.Improved), Of(counts.Stayed), Of(counts.Worsened));
    }

    /// <summary>
    /// The cabinet's suppression on both axes: down each column of every table under the shared total row, and across each
    /// row under its measured children (improved, stayed and worsened add up to it). The total row is the same in every
    /// table and in the headline, so a figure one table hides cannot be recovered from another. Each pass only hides more,
    /// so it ends.
    /// </summary>
    private static void Suppress(IReadOnlyList<OutcomeTable> tables, OutcomeRow total, int threshold)
    {
        var columns = new Func<OutcomeRow, Figure>[] { r => r.Measured, r => r.Improved, r => r.Stayed, r => r.Worsened };
        var rows = tables.SelectMany(t => t.Rows).Append(total).ToList();
        int Hidden() => rows.Sum(r => columns.Count(c => c(r).Suppressed));
        int before;
        do
        {
            before = Hidden();
            foreach (var table in tables)
                foreach (var column in columns)
                    Suppression.Apply(table.Rows.Select(column).ToList(), column(total), threshold);
            foreach (var row in rows)
                Suppression.Apply(row.Bands, row.Measured, threshold);
        } while (Hidden() != before);
    }
}
