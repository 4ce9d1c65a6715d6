using SuccessPlans.Data;
using SuccessPlans.Tenancy;
using System.Globalization;
using System.Linq.Expressions;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Referrals;

namespace SuccessPlans.Features.Cabinet;

/// <summary>
/// A dashboard period: whole calendar months in the tenant's calendar, both ends included; a school year (1 August
/// to 31 July) is twelve of them. Never a range of days: any two periods then differ by whole months, so no
/// subtraction of one dashboard from another can single out less than a month of data (docs/cabinet-periods.md).
/// </summary>
public sealed record Period
{
    public const int MaxYears = 10;
    public const string StartField = "from", EndField = "to";

    public DateOnly From { get; }
    public DateOnly To { get; }

    /// <summary>From the first day of a month to the last day of a month; anything else is refused.</summary>
    public Period(DateOnly from, DateOnly to)
    {
        var errors = new Dictionary<string, CoreMessage[]>();
        if (from.Day != 1)
            errors[StartField] = [$"A period starts on the first day of a month, not on {from:d MMM yyyy}. Choose whole months or a school year: a range of days would let a day's figures be worked out by subtraction."];
        if (to.AddDays(1).Day != 1)
            errors[EndField] = [$"A period ends on the last day of a month, not on {to:d MMM yyyy}. Choose whole months or a school year: a range of days would let a day's figures be worked out by subtraction."];
        if (errors.Count == 0 && from > to)
            errors[EndField] = ["The end of the period must not be before its start."];
        if (errors.Count == 0 && to >= from.AddYears(MaxYears))
            errors[EndField] = [$"A period can span at most {MaxYears} years."];
        if (errors.Count > 0)
            throw new ValidationFailedException(errors);
        (From, To) = (from, to);
    }

    /// <summary>The school year holding the date: 1 August to 31 July.</summary>
    public static Period SchoolYearOf(DateOnly date)
    {
        var start = SchoolYears.For(date);
        return new Period(new DateOnly(start, 8, 1), new DateOnly(start + 1, 7, 31));
    }

    /// <summary>
    /// A period given by a user: each end a month (yyyy-MM) or a date (yyyy-MM-dd) that starts or ends a month;
    /// a missing end defaults to the current school year's. Throws <see cref="ValidationFailedException"/> keyed
    /// "from" and "to".
    /// </summary>
    public static Period Parse(string? from, string? to, DateOnly today)
    {
        var year = SchoolYearOf(today);
        var errors = new Dictionary<string, CoreMessage[]>();
        var start = ParseEnd(from, StartField, errors, lastDay: false) ?? year.From;
        var end = ParseEnd(to, EndField, errors, lastDay: true) ?? year.To;
        if (errors.Count > 0)
            throw new ValidationFailedException(errors);
        return new Period(start, end);
    }

    private static DateOnly? ParseEnd(string? value, string field, Dictionary<string, CoreMessage[]> errors, bool lastDay)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var text = value.Trim();
        if (DateOnly.TryParseExact(text, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out var month) && month.Year is >= 2000 and <= 2100)
            return lastDay ? month.AddMonths(1).AddDays(-1) : month;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) && date.Year is >= 2000 and <= 2100)
            return date;
        errors[field] = [$"'{value}' is not a month: write it as yyyy-MM, e.g. 2026-08."];
        return null;
    }

    /// <summary>The first day of each month of the period.</summary>
    public IEnumerable<DateOnly> Months()
    {
        for (var m = From; m <= To; m = m.AddMonths(1)) yield return m;
    }

    public bool IsSchoolYear => From.Month == 8 && To == From.AddYears(1).AddDays(-1);

    /// <summary>The period in the reader's language ("school year 2026–27", "año escolar 2026–27").</summary>
    public string Label =>
        IsSchoolYear ? string.Format(Languages.Current, Labels.T("school year {0}"), SchoolYears.Label(From.Year))
        : From.AddMonths(1) > To ? Readable.Month(From)
        : string.Format(Languages.Current, Labels.T("{0} to {1}"), Readable.Month(From), Readable.Month(To));
}

public sealed record DashboardRow(string Label, IReadOnlyList<Figure> Figures);

/// <summary>One breakdown: a row per value of the dimension, a column per measure, and the period's total.</summary>
public sealed record DashboardTable(string Key, string Title, string Dimension, IReadOnlyList<string> Columns, IReadOnlyList<DashboardRow> Rows, DashboardRow Total);

public sealed record DashboardTotals(
    Figure ServicesDelivered, Figure ChildrenServed, Figure ReferralsMade, Figure ReferralsAccepted,
    Figure ReferralsCompleted, Figure NeedsMet, Figure MedianDaysToFirstService);

/// <summary>Everything the cabinet sees for a period: counts only, every one already suppressed where small.</summary>
public sealed record Dashboard(string Partnership, DateOnly From, DateOnly To, string PeriodLabel, int Threshold, DashboardTotals Totals, IReadOnlyList<DashboardTable> Tables)
{
    public DashboardTable Table(string key) => Tables.Single(t => t.Key == key);
}

/// <summary>
/// Builds the cabinet's dashboard. Services delivered and children served come from the <see cref="ServedMonth"/>
/// rollup alone, since a period is whole months: one GROUP BY over a few thousand rows, whatever the number of
/// deliveries or children (a million deliveries to 50,000 children are some five thousand rows a year).
/// Referral counts, needs met and the median come from the <see cref="FunnelMonth"/> rollup in the same way, and the
/// children behind them (for suppression only) from indexed columns, up to the threshold, in one command. No query
/// returns a child's record: the rows read here carry ids and counts only, and never leave this class.
/// The figures are the same for every reader of a tenant, so they are kept in <see cref="CabinetFiguresCache"/> under
/// the rollups' data version, read with the tenant's settings in one command per dashboard (docs/cabinet-periods.md,
/// "A lookup"); names, labels and suppression are applied to them at each request, in the reader's language.
/// </summary>
public sealed class CabinetReport(AppDbContext db, CurrentTenant currentTenant, CabinetFiguresCache cache)
{
    /// <summary>The measures of every table, in the reader's language.</summary>
    public static string[] Columns => [Labels.T("Children served"), Labels.T("Services delivered")];

    /// <summary>Children (distinct) and services per value of one dimension.</summary>
    internal sealed class Tally<TKey> where TKey : notnull
    {
        private readonly Dictionary<TKey, (long Children, long Count)> _cells = new();

        public void Add(TKey key, long children, long count)
        {
            if (children == 0 && count == 0) return;
            var (c, n) = _cells.GetValueOrDefault(key);
            _cells[key] = (c + children, n + count);
        }

        public (long Children, long Count) this[TKey key] => _cells.GetValueOrDefault(key);
        public bool Has(TKey key) => _cells.ContainsKey(key);
    }

    /// <summary>Every tally of the dashboard; written while computed, then only read (shared by the cache's readers).</summary>
    internal sealed class Tallies
    {
        public Tally<int> Total { get; } = new();
        public Tally<Domain> Domain { get; } = new();
        public Tally<int> School { get; } = new();
        public Tally<int> Provider { get; } = new();
        public Tally<int> Tier { get; } = new(); // -1 for a service with no tier
        public Tally<DateOnly> Month { get; } = new();
    }

    internal sealed record Funnel(long Made, long Children, long Accepted, long AcceptedChildren, long Completed, long CompletedChildren,
        long NeedsMet, long NeedsMetChildren, long MedianDays, long FirstServedChildren);

    /// <summary>A dashboard's figures before names, labels and suppression: what the cache keeps.</summary>
    internal sealed record Figures(Tallies Tallies, Funnel Funnel);

    /// <summary>
    /// What identifies the rollups' content: every write that moves a figure appends rows to them (ids only grow:
    /// AUTOINCREMENT, IDENTITY), and folding or rebuilding them deletes and inserts rows with new ids. The row counts
    /// are part of it too, for a row committed after one with a higher id (SQL Server's snapshot reads) and for a
    /// deletion that leaves the highest id in place.
    /// </summary>
    public sealed record DataVersion(long? ServedMax, int ServedRows, long? FunnelMax, int FunnelRows);

    /// <summary>The tenant's settings the dashboard depends on, and the rollups' version: one command per dashboard.</summary>
    public sealed record Head(string Name, int Threshold, string TimeZoneId, long? ServedMax, int ServedRows, long? FunnelMax, int FunnelRows)
    {
        public DataVersion Version => new(ServedMax, ServedRows, FunnelMax, FunnelRows);
    }

    // Compiled (EF.CompileAsyncQuery): these two run at every dashboard, and a compiled query skips EF's per-call
    // expression walk and cache lookup. The expressions are public through the methods below for the SQL Server test;
    // subqueries name the outer row (which the tenant filter holds anyway), else EF would run them on their own.
    private static readonly Expression<Func<AppDbContext, IQueryable<Head>>> HeadExpression = db =>
        db.Tenants.Select(t => new Head(t.Name, t.SuppressionThreshold, t.TimeZoneId,
            db.ServedMonths.Where(m => m.TenantId == t.Id).Max(m => (long?)m.Id), db.ServedMonths.Count(m => m.TenantId == t.Id),
            db.FunnelMonths.Where(m => m.TenantId == t.Id).Max(m => (long?)m.Id), db.FunnelMonths.Count(m => m.TenantId == t.Id)));

    public static IQueryable<Head> HeadQuery(AppDbContext db) => HeadExpression.Compile()(db);

    private static readonly Func<AppDbContext, CancellationToken, Task<Head>> ReadHead = EF.CompileAsyncQuery(
        Expression.Lambda<Func<AppDbContext, CancellationToken, Head>>(
            Expression.Call(typeof(Queryable), nameof(Queryable.Single), [typeof(Head)], HeadExpression.Body),
            HeadExpression.Parameters[0], Expression.Parameter(typeof(CancellationToken), "ct")));

    /// <summary>A school (0) or a provider (1) by name: the tables' rows, read at each request (a rename shows at once).</summary>
    // Member initialisers, not a constructor: EF translates a UNION ALL of two projections that set the same members.
    public sealed class Named
    {
        public int Kind { get; init; }
        public int Id { get; init; }
        public required string Name { get; init; }
    }

    private static readonly Expression<Func<AppDbContext, IQueryable<Named>>> NamesExpression = db =>
        db.Schools.Select(s => new Named { Kind = 0, Id = s.Id, Name = s.Name })
            .Concat(db.ProviderOrganizations.Select(o => new Named { Kind = 1, Id = o.Id, Name = o.Name }))
            .OrderBy(n => n.Kind).ThenBy(n => n.Name);

    public static IQueryable<Named> NamesQuery(AppDbContext db) => NamesExpression.Compile()(db);

    private static readonly Func<AppDbContext, IAsyncEnumerable<Named>> ReadNames = EF.CompileAsyncQuery(NamesExpression);

    public async Task<Dashboard> BuildAsync(Period period, CancellationToken ct = default)
    {
        var tenantId = currentTenant.TenantId ?? throw new TenantViolationException("The dashboard needs a tenant in scope.");
        var head = await ReadHead(db, ct);
        // A tenant whose referrals predate the funnel's rollup gets it built at its first reading (an empty rollup only).
        if (head.FunnelMax is null && await FunnelRollup.EnsureBuiltAsync(db, ct))
            head = await ReadHead(db, ct);
        var threshold = head.Threshold;
        // Read before the figures, so figures cached under this version hold at least its writes.
        var key = new CabinetFiguresCache.Key(tenantId, head.Version, period.From, period.To, threshold, head.TimeZoneId);
        if (cache.Get(key) is not { } figures)
        {
            figures = await FiguresAsync(period, TimeZoneInfo.FindSystemTimeZoneById(head.TimeZoneId), threshold, ct);
            cache.Store(key, figures);
        }
        var (tallies, funnel) = figures;

        var names = new List<Named>();
        await foreach (var n in ReadNames(db).WithCancellation(ct)) names.Add(n);

        var (children, services) = tallies.Total[0];
        var totals = new DashboardTotals(
            ServicesDelivered: new Figure(services, children),
            ChildrenServed: new Figure(children, children),
            ReferralsMade: new Figure(funnel.Made, funnel.Children),
            ReferralsAccepted: new Figure(funnel.Accepted, funnel.AcceptedChildren),
            ReferralsCompleted: new Figure(funnel.Completed, funnel.CompletedChildren),
            NeedsMet: new Figure(funnel.NeedsMet, funnel.NeedsMetChildren),
            MedianDaysToFirstService: funnel.FirstServedChildren == 0 ? Figure.None() : new Figure(funnel.MedianDays, funnel.FirstServedChildren));
        foreach (var (_, figure) in DashboardCsv.Headline(totals))
            if (Suppression.IsSmall(figure.Children, threshold)) figure.Suppressed = true;

        var months = period.Months().ToList();
        var tiers = Enum.GetValues<ServiceTier>().Select(t => ((int)t, Labels.Words(t))).Append((-1, Labels.T("Not given"))).Where(t => t.Item1 >= 0 || tallies.Tier.Has(-1));
        var tables = new List<DashboardTable>
        {
            Table("domain", Labels.T("By domain"), Labels.T("Domain"), Enum.GetValues<Domain>().Select(d => (d, Labels.Words(d))), tallies.Domain, tallies, threshold),
            Table("school", Labels.T("By school"), Labels.T("School"), names.Where(n => n.Kind == 0).Select(s => (s.Id, s.Name)), tallies.School, tallies, threshold),
            Table("provider", Labels.T("By provider"), Labels.T("Provider"), names.Where(n => n.Kind == 1).Select(p => (p.Id, p.Name)), tallies.Provider, tallies, threshold),
            Table("tier", Labels.T("By service tier"), Labels.T("Service tier"), tiers, tallies.Tier, tallies, threshold),
            Table("month", Labels.T("By month"), Labels.T("Month"), months.Select(m => (m, m.ToString("MMM yyyy", Languages.Current))), tallies.Month, tallies, threshold),
        };
        return new Dashboard(head.Name, period.From, period.To, period.Label, threshold, totals, tables);
    }

    /// <summary>The figures of a period, from the rollups: three commands on this scope's connection.</summary>
    private async Task<Figures> FiguresAsync(Period period, TimeZoneInfo zone, int threshold, CancellationToken ct)
    {
        var tallies = await DeliveriesAsync(period, ct);
        return new Figures(tallies, await FunnelAsync(db, period, zone, threshold, ct));
    }

    /// <summary>
    /// Referrals made, accepted and completed; needs met; the median days from referral to first service: sums over the
    /// <see cref="FunnelMonth"/> rows of the period's months. How many children each is about only decides suppression,
    /// so it is counted on the referrals up to the threshold and no further: the database stops at the threshold-th
    /// distinct child instead of reading them all.
    /// </summary>
    private static async Task<Funnel> FunnelAsync(AppDbContext db, Period period, TimeZoneInfo zone, int threshold, CancellationToken ct)
    {
        var q = FunnelQueriesFor(db, period, zone);
        var sums = await FunnelSums(db, period).ToListAsync(ct);
        long Sum(FunnelMeasure measure) => sums.Where(s => s.Measure == measure).Sum(s => (long)s.Count);
        // The median from a histogram of days, not from the rows.
        var histogram = sums.Where(s => s.Measure == FunnelMeasure.FirstServed).Select(s => (s.Days, s.Count));
        var c = await ChildrenQuery(db, q, threshold).SingleAsync(ct);
        return new Funnel(Sum(FunnelMeasure.Made), c.Sent, Sum(FunnelMeasure.Accepted), c.Accepted, Sum(FunnelMeasure.Completed), c.Completed,
            Sum(FunnelMeasure.NeedsMet), c.NeedsMet, Median(histogram), c.FirstServed);
    }

    public sealed record ChildrenCounts(int Sent, int Accepted, int Completed, int NeedsMet, int FirstServed);

    /// <summary>
    /// The five counts of distinct children, each only up to the threshold (beyond it the figure is shown anyway), as one
    /// command (one row: the tenant's).
    /// </summary>
    // Each subquery names the outer row (TenantId == t.Id, which the tenant filter holds anyway): without it EF would
    // evaluate each count on its own before sending the query, five commands instead of one. No OrderBy, so EF logs its
    // row-limiting warning: any threshold distinct children answer alike, and ordering made each count sort every child
    // of the period (16-55 ms each at 10,000 students, against 0 ms).
    public static IQueryable<ChildrenCounts> ChildrenQuery(AppDbContext db, FunnelQueries q, int threshold) =>
        db.Tenants.Select(t => new ChildrenCounts(
            q.Sent.Where(r => r.TenantId == t.Id).Select(r => r.StudentId).Distinct().Take(threshold).Count(),
            q.Accepted.Where(r => r.TenantId == t.Id).Select(r => r.StudentId).Distinct().Take(threshold).Count(),
            q.Completed.Where(r => r.TenantId == t.Id).Select(r => r.StudentId).Distinct().Take(threshold).Count(),
            q.NeedsMet.Where(i => i.TenantId == t.Id).Select(i => i.Plan.StudentId).Distinct().Take(threshold).Count(),
            q.FirstServed.Where(r => r.TenantId == t.Id).Select(r => r.StudentId).Distinct().Take(threshold).Count()));

    public sealed record FunnelSum(FunnelMeasure Measure, int Days, int Count);

    /// <summary>The funnel's counts in the period per measure (and days to first service): sums over the <see cref="FunnelMonth"/> rollup.</summary>
    public static IQueryable<FunnelSum> FunnelSums(AppDbContext db, Period period)
    {
        var (first, last) = (ServedMonth.Number(period.From), ServedMonth.Number(period.To));
        return db.FunnelMonths.Where(m => m.MonthNumber >= first && m.MonthNumber <= last)
            .GroupBy(m => new { m.Measure, m.Days })
            .Select(g => new FunnelSum(g.Key.Measure, g.Key.Days, g.Sum(m => m.Count)));
    }

    public sealed record FunnelCounts(int Made, int Accepted, int Completed);
    public sealed record DaysCount(int Days, int Count);

    /// <summary>
    /// The funnel's queries on the referrals and needs themselves (public, as the others here, so their SQL Server
    /// translation is tested without a server): the children counts, and the raw computation the rollup must equal.
    /// </summary>
    public sealed record FunnelQueries(IQueryable<Referral> Sent, IQueryable<Referral> Accepted, IQueryable<Referral> Completed, IQueryable<FunnelCounts> Counts,
        IQueryable<PlanItem> NeedsMet, IQueryable<Referral> FirstServed, IQueryable<DaysCount> Histogram);

    public static FunnelQueries FunnelQueriesFor(AppDbContext db, Period period, TimeZoneInfo zone)
    {
        // Referrals sent in the period (the tenant's local days, as UTC instants).
        var fromUtc = SuccessPlans.Features.Tenants.LocalDays.StartUtc(period.From, zone);
        var toUtc = SuccessPlans.Features.Tenants.LocalDays.StartUtc(period.To.AddDays(1), zone);
        var sent = db.Referrals.Where(r => r.SentAt >= fromUtc && r.SentAt < toUtc);
        var counts = sent.GroupBy(_ => 1).Select(g => new FunnelCounts(
            g.Count(),
            g.Count(r => r.AnsweredAt != null && r.Status != ReferralStatus.Declined),
            g.Count(r => r.Status == ReferralStatus.Completed)));
        var firstServed = db.Referrals.Where(r => r.FirstServiceOn >= period.From && r.FirstServiceOn <= period.To && r.DaysToFirstService != null);
        return new FunnelQueries(
            sent,
            sent.Where(r => r.AnsweredAt != null && r.Status != ReferralStatus.Declined),
            sent.Where(r => r.Status == ReferralStatus.Completed),
            counts,
            db.PlanItems.Where(i => i.Kind == PlanItemKind.Need && i.Status == NeedStatus.Met && i.ResolvedOn >= period.From && i.ResolvedOn <= period.To),
            firstServed,
            firstServed.GroupBy(r => r.DaysToFirstService!.Value).Select(g => new DaysCount(g.Key, g.Count())));
    }

    public sealed record ServedCell(ServedDimension Dimension, int ValueId, int MonthNumber, int Children, int ChildrenInMonth, int Services);

    /// <summary>
    /// Children served and services delivered in the period, per value of each breakdown and, for the total, per month
    /// (MonthNumber 0 for the others), in one command over the <see cref="ServedMonth"/> rows of the period's months (its
    /// class says why these sums are exact): children served in the period (the rows whose previous month is before it),
    /// children served in the month (every row of the month: each child served in a month has one), services.
    /// </summary>
    public static IQueryable<ServedCell> ServedCells(AppDbContext db, Period period)
    {
        var (first, last) = (ServedMonth.Number(period.From), ServedMonth.Number(period.To));
        return db.ServedMonths.Where(m => m.MonthNumber >= first && m.MonthNumber <= last)
            .GroupBy(m => new { m.Dimension, m.ValueId, Month = m.Dimension == ServedDimension.Total ? m.MonthNumber : 0 })
            .Select(g => new ServedCell(g.Key.Dimension, g.Key.ValueId, g.Key.Month, g.Sum(m => m.PreviousMonthNumber < first ? m.Children : 0),
                g.Sum(m => m.Children), g.Sum(m => m.Services)));
    }

    /// <summary>Services delivered in the period, tallied by every dimension, from the served months alone (periods are whole months).</summary>
    private async Task<Tallies> DeliveriesAsync(Period period, CancellationToken ct)
    {
        var tallies = new Tallies();
        foreach (var sum in await ServedCells(db, period).ToListAsync(ct))
        {
            switch (sum.Dimension)
            {
                case ServedDimension.Total:
                    tallies.Total.Add(0, sum.Children, sum.Services);
                    tallies.Month.Add(ServedMonth.MonthOf(sum.MonthNumber), sum.ChildrenInMonth, sum.Services);
                    break;
                case ServedDimension.Domain: tallies.Domain.Add((Domain)sum.ValueId, sum.Children, sum.Services); break;
                case ServedDimension.School: tallies.School.Add(sum.ValueId, sum.Children, sum.Services); break;
                case ServedDimension.Provider: tallies.Provider.Add(sum.ValueId, sum.Children, sum.Services); break;
                case ServedDimension.Tier: tallies.Tier.Add(sum.ValueId, sum.Children, sum.Services); break;
            }
        }
        return tallies;
    }

    private static DashboardTable Table<TKey>(string key, string title, string dimension, IEnumerable<(TKey Key, string Label)> values, Tally<TKey> tally, Tallies tallies, int threshold)
        where TKey : notnull
    {
        var rows = values.Select(v =>
        {
            var (children, count) = tally[v.Key];
            return new DashboardRow(v.Label, [new Figure(children, children), new Figure(count, children)]);
        }).ToList();
        var (totalChildren, totalCount) = tallies.Total[0];
        var total = new DashboardRow(Labels.T("Total"), [new Figure(totalChildren, totalChildren), new Figure(totalCount, totalChildren)]);
        for (var c = 0; c < Columns.Length; c++)
            Suppression.Apply(rows.Select(r => r.Figures[c]).ToList(), total.Figures[c], threshold);
        return new DashboardTable(key, title, dimension, Columns, rows, total);
    }

    /// <summary>The median of a histogram of (days, how many referrals); the lower middle when the count is even.</summary>
    public static long Median(IEnumerable<(int Days, int Count)> histogram)
    {
        var sorted = histogram.OrderBy(h => h.Days).ToList();
        var n = sorted.Sum(h => (long)h.Count);
        if (n == 0) return 0;
        var middle = (n + 1) / 2;
        long seen = 0;
        foreach (var (days, count) in sorted)
        {
            seen += count;
            if (seen >= middle) return days;
        }
        return sorted[^1].Days;
    }
}

/// <summary>A dashboard table as CSV, suppressed exactly as on the page: a hidden figure reads "suppressed".</summary>
public static class DashboardCsv
{
    public const string Suppressed = "suppressed";

    public static string Write(Dashboard dashboard, DashboardTable table)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        var csv = new SuccessPlans.Csv.CsvWriter(text);
        csv.WriteRow([table.Dimension, .. table.Columns]);
        foreach (var row in table.Rows.Append(table.Total))
            csv.WriteRow([row.Label, .. row.Figures.Select(Cell)]);
        return text.ToString();
    }

    /// <summary>The headline figures, one per row.</summary>
    public static string WriteTotals(Dashboard dashboard)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        var csv = new SuccessPlans.Csv.CsvWriter(text);
        csv.WriteRow("Measure", "Value");
        foreach (var (label, figure) in Headline(dashboard.Totals))
            csv.WriteRow(label, Cell(figure));
        return text.ToString();
    }

    public static IEnumerable<(string Label, Figure Figure)> Headline(DashboardTotals t) =>
    [
        ("Services delivered", t.ServicesDelivered), ("Children served", t.ChildrenServed), ("Referrals made", t.ReferralsMade),
        ("Referrals accepted", t.ReferralsAccepted), ("Referrals completed", t.ReferralsCompleted), ("Needs met", t.NeedsMet),
        ("Median days from referral to first service", t.MedianDaysToFirstService),
    ];

    private static string Cell(Figure f) => f.Value?.ToString(CultureInfo.InvariantCulture) ?? (f.Suppressed ? Suppressed : "");
}
