using System.Data.Common;
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using SuccessPlans.Csv;
using SuccessPlans.Data;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Tenants;

namespace SuccessPlans.Features.Audit;

/// <summary>Who is looking: the user (or key, or job), the role they act under, and the address they come from.</summary>
public sealed record AccessActor(int? UserId, string Name, string Role, int? OrganizationId, string? IpAddress);

/// <summary>The audit page's filters; dates are the tenant's local days, both ends included.</summary>
public sealed record AuditFilter(int? UserId = null, string? Child = null, AccessAction? Action = null, DateOnly? From = null, DateOnly? To = null);

public sealed record AuditRow(long Id, DateTime At, int? UserId, string ActorName, string Role, string? Organization, AccessAction Action,
    int? StudentId, string? StudentName, string? StudentExternalId, int? PlanId, int? ReferralId, string? Path, string? IpAddress);

public sealed record AuditPage(IReadOnlyList<AuditRow> Rows, int Page, int PageSize, bool HasMore);

public sealed record GuardianAccessLine(DateTime At, string Who, string Role, string? Organization, AccessAction Action);
/// <summary>One share with an organization: with the guardian's consent, or without it for the Admin's reason (the page words it).</summary>
public sealed record GuardianDisclosureLine(DateTime At, string Organization, string FieldsShared, bool WithConsent, string? OverrideReason, string By);

/// <summary>"Who has seen or received my child's record": the access log and the disclosure log of one child.</summary>
public sealed record GuardianReport(int StudentId, string ChildName, string School, DateOnly From, DateOnly To,
    IReadOnlyList<GuardianAccessLine> Accesses, IReadOnlyList<GuardianDisclosureLine> Disclosures, TimeZoneInfo Zone);

/// <summary>
/// The access log (docs/access-log.md): one entry per view or export of a child's data, appended and never edited.
/// Writing is one INSERT; reading is the Admin's audit page, its CSV and the guardian's report.
/// </summary>
public sealed class AccessLog(AppDbContext db, TimeProvider time, AccessLogWriter writer, AccessLogStaging staging, WorkPermit permit)
{
    public const int PageSize = 100;

    /// <summary>At most this many rows go into one CSV; narrow the filters for more.</summary>
    public const int ExportLimit = 100_000;

    /// <summary>A new entry, for callers that save it in their own unit of work (the nightly digest).</summary>
    public AccessLogEntry Entry(AccessActor who, AccessAction action, int? studentId, string? path, int? planId = null, int? referralId = null) => new()
    {
        At = time.GetUtcNow().UtcDateTime,
        UserId = who.UserId,
        ActorName = Truncate(who.Name, 200)!,
        Role = Truncate(who.Role, 32)!,
        OrganizationId = who.OrganizationId,
        Action = action,
        StudentId = studentId,
        PlanId = planId,
        ReferralId = referralId,
        Path = Truncate(path, 400),
        IpAddress = Truncate(who.IpAddress, 45),
    };

    /// <summary>
    /// Appends one entry and returns once it is committed: nothing loaded or tracked, so nothing can edit it. Not through
    /// SaveChanges: for one row it cost the student page about 8% of its CPU (change detection, the funnel rollup's look
    /// at the pending rows, the INSERT's SQL generated again, the new id read back), which no reader of the log needs
    /// (issue 15). The row is the scope's tenant's, as SaveChanges would stamp it. Inside a caller's transaction it is
    /// that transaction's own INSERT and commits with it; otherwise <see cref="AccessLogWriter"/> commits it together with
    /// the entries of the views that arrive meanwhile; a request gives its permit to work to the next one while it waits
    /// for that commit (<see cref="WorkPermit.WaitOutsideAsync"/>: the wait takes none of this node's CPU).
    /// </summary>
    public async Task AppendAsync(AccessActor who, AccessAction action, int? studentId, string? path, int? planId = null, int? referralId = null, CancellationToken ct = default)
    {
        var tenantId = db.CurrentTenantId ?? throw new SuccessPlans.Tenancy.TenantViolationException("Cannot save AccessLogEntry: no tenant in scope.");
        var e = Entry(who, action, studentId, path, planId, referralId);
        if (db.Database.CurrentTransaction is null)
            await permit.WaitOutsideAsync(writer.WriteAsync(tenantId, e, ct));
        else
            await db.Database.ExecuteSqlRawAsync(AppendSql(1), Values(db, [(tenantId, e)]), ct);
    }

    /// <summary>The columns of <see cref="AppendSql"/>, in order.</summary>
    internal const string Columns = "\"TenantId\", \"At\", \"UserId\", \"ActorName\", \"Role\", \"OrganizationId\", \"Action\", "
        + "\"StudentId\", \"PlanId\", \"ReferralId\", \"Path\", \"IpAddress\"";

    /// <summary>How many values one entry's row takes in <see cref="AppendSql"/>.</summary>
    public const int ValuesPerRow = 12;

    /// <summary>
    /// The INSERT of <paramref name="rows"/> entries, one VALUES row each (placeholders per row: tenant, time, user id,
    /// name, role, organization, action as its name, as the model stores enums, child, plan, referral, path, address).
    /// The same text on SQLite and SQL Server; public: its T-SQL is parsed in the tests.
    /// </summary>
    public static string AppendSql(int rows) => AppendSqls[rows - 1] ??=
        $"INSERT INTO \"AccessLogEntries\" ({Columns}) VALUES "
        + string.Join(", ", Enumerable.Range(0, rows).Select(r => "(" + string.Join(", ", Enumerable.Range(r * ValuesPerRow, ValuesPerRow).Select(i => $"{{{i}}}")) + ")"));

    private static readonly string?[] AppendSqls = new string?[AccessLogWriter.BatchRows];

    /// <summary>
    /// The values of <paramref name="rows"/> for <see cref="AppendSql"/>, one row after the other. A null goes as a
    /// parameter typed as a value of its property's type would go (EF's mapping of an int or a string): sent untyped, SQL Server's
    /// client declares it nvarchar, and each pattern of nulls in a batch (no plan, no referral, no user...) would be a
    /// statement of its own in SQL Server's plan cache.
    /// </summary>
    public static object[] Values(AppDbContext db, IReadOnlyList<(int TenantId, AccessLogEntry Entry)> rows)
    {
        var values = new object[rows.Count * ValuesPerRow];
        var i = 0;
        DbCommand? command = null;
        var mappings = db.GetService<IRelationalTypeMappingSource>();
        try
        {
            foreach (var (tenantId, e) in rows)
                foreach (var (value, type) in RowOf(tenantId, e))
                {
                    // Named apart from EF's own p0, p1, ... of the values around it.
                    values[i] = value ?? mappings.FindMapping(type)!.CreateParameter(command ??= db.Database.GetDbConnection().CreateCommand(), $"n{i}", null, nullable: true);
                    i++;
                }
        }
        finally
        {
            command?.Dispose();
        }
        return values;
    }

    /// <summary>One entry's values in the columns' order, with the type of each (the entity's, without nullability).</summary>
    internal static (object? Value, Type Type)[] RowOf(int tenantId, AccessLogEntry e) =>
    [
        (tenantId, typeof(int)), (e.At, typeof(DateTime)), (e.UserId, typeof(int)), (e.ActorName, typeof(string)), (e.Role, typeof(string)),
        (e.OrganizationId, typeof(int)), (e.Action.ToString(), typeof(string)), (e.StudentId, typeof(int)), (e.PlanId, typeof(int)),
        (e.ReferralId, typeof(int)), (e.Path, typeof(string)), (e.IpAddress, typeof(string)),
    ];

    /// <summary>
    /// One entry per child of a list answer that carries each child's record (the API's referral list): inserted in
    /// batches in one SaveChanges, nothing loaded, detached afterwards.
    /// </summary>
    public async Task AppendManyAsync(AccessActor who, AccessAction action, IReadOnlyCollection<(int StudentId, int? ReferralId)> rows, string? path, CancellationToken ct = default)
    {
        if (rows.Count == 0) return;
        var entries = rows.Select(r => Entry(who, action, r.StudentId, path, referralId: r.ReferralId)).ToList();
        db.AccessLog.AddRange(entries);
        await db.SaveChangesAsync(ct);
        foreach (var e in entries) db.Entry(e).State = EntityState.Detached;
    }

    /// <summary>One page of the filtered log, newest first (offset paging over the (TenantId, At) index).</summary>
    public async Task<AuditPage> SearchAsync(AuditFilter filter, int page, CancellationToken ct = default)
    {
        page = Math.Clamp(page, 1, 100_000);
        var rows = await Project(await FilteredAsync(filter, ct)).Skip((page - 1) * PageSize).Take(PageSize + 1).ToListAsync(ct);
        return new AuditPage(rows.Take(PageSize).ToList(), page, PageSize, rows.Count > PageSize);
    }

    /// <summary>
    /// The filtered log as RFC 4180 CSV (cells a spreadsheet would run are neutralised), newest first. It names no
    /// child, only ids, so the file itself discloses no name; the export is logged by the caller.
    /// </summary>
    public async Task<string> ExportCsvAsync(AuditFilter filter, CancellationToken ct = default)
    {
        var zone = (await db.Tenants.AsNoTracking().SingleAsync(ct)).TimeZone;
        var rows = await Project(await FilteredAsync(filter, ct)).Take(ExportLimit).ToListAsync(ct);
        var text = new StringWriter(CultureInfo.InvariantCulture);
        var csv = new CsvWriter(text);
        csv.WriteRow("id", "at_utc", "at_local", "user_id", "user", "role", "organization", "action", "student_id", "student_external_id", "plan_id", "referral_id", "path", "ip_address");
        foreach (var r in rows)
            csv.WriteRow(Invariant(r.Id), r.At.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                TimeZoneInfo.ConvertTimeFromUtc(r.At, zone).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                Invariant(r.UserId), r.ActorName, r.Role, r.Organization, r.Action.ToString(), Invariant(r.StudentId), r.StudentExternalId,
                Invariant(r.PlanId), Invariant(r.ReferralId), r.Path, r.IpAddress);
        return text.ToString();
    }

    /// <summary>The guardian's report for one child over local days: who viewed or received the record, and every disclosure.</summary>
    public async Task<GuardianReport> GuardianReportAsync(int studentId, DateOnly? from, DateOnly? to, CancellationToken ct = default)
    {
        await staging.BeforeReadAsync(ct);
        var tenant = await db.Tenants.AsNoTracking().SingleAsync(ct);
        var zone = tenant.TimeZone;
        var today = LocalDays.Of(time.GetUtcNow().UtcDateTime, zone);
        var (first, last) = (from ?? today.AddYears(-1), to ?? today);
        CheckDays(first, last);
        var child = await db.Students.AsNoTracking().Where(s => s.Id == studentId)
            .Select(s => new { s.GivenName, s.FamilyName, School = s.School.Name }).SingleOrDefaultAsync(ct)
            ?? throw new NotFoundException("No such student.");
        var (start, end) = (LocalDays.StartUtc(first, zone), LocalDays.StartUtc(last.AddDays(1), zone));

        var accesses = await db.AccessLog.AsNoTracking()
            .Where(e => e.StudentId == studentId && e.At >= start && e.At < end)
            .OrderByDescending(e => e.At).ThenByDescending(e => e.Id)
            .Select(e => new GuardianAccessLine(e.At, e.ActorName, e.Role,
                db.ProviderOrganizations.Where(o => o.Id == e.OrganizationId).Select(o => o.Name).FirstOrDefault(), e.Action))
            .ToListAsync(ct);
        var disclosures = await db.Disclosures.AsNoTracking()
            .Where(d => d.StudentId == studentId && d.At >= start && d.At < end)
            .OrderByDescending(d => d.At).ThenByDescending(d => d.Id)
            .Select(d => new GuardianDisclosureLine(d.At, d.Organization.Name, d.FieldsShared, d.ConsentId != null, d.OverrideReason, d.ByName))
            .ToListAsync(ct);
        return new GuardianReport(studentId, $"{child.GivenName} {child.FamilyName}", child.School, first, last, accesses, disclosures, zone);
    }

    /// <summary>The log as its rows on the page: names of users and organizations, and the child's name and id.</summary>
    private IQueryable<AuditRow> Project(IQueryable<AccessLogEntry> entries) =>
        entries.OrderByDescending(e => e.At).ThenByDescending(e => e.Id)
            .Select(e => new AuditRow(e.Id, e.At, e.UserId, e.ActorName, e.Role,
                db.ProviderOrganizations.Where(o => o.Id == e.OrganizationId).Select(o => o.Name).FirstOrDefault(),
                e.Action, e.StudentId,
                db.Students.Where(s => s.Id == e.StudentId).Select(s => s.GivenName + " " + s.FamilyName).FirstOrDefault(),
                db.Students.Where(s => s.Id == e.StudentId).Select(s => s.ExternalId).FirstOrDefault(),
                e.PlanId, e.ReferralId, e.Path, e.IpAddress));

    private async Task<IQueryable<AccessLogEntry>> FilteredAsync(AuditFilter f, CancellationToken ct)
    {
        CheckDays(f.From, f.To);
        // Every view shown so far is listed: what waits in SQLite's staging file moves first.
        await staging.BeforeReadAsync(ct);
        var query = db.AccessLog.AsNoTracking();
        if (f.UserId is { } userId) query = query.Where(e => e.UserId == userId);
        if (f.Action is { } action) query = query.Where(e => e.Action == action);
        if (f.Child?.Trim() is { Length: > 0 } child)
        {
            // A child by our id, the district's id, or the start of a given or family name (one subquery, no list).
            var id = int.TryParse(child, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1;
            var children = db.Students.Where(s => s.Id == id || s.ExternalId == child || s.LocalId == child
                || s.FamilyName.StartsWith(child) || s.GivenName.StartsWith(child) || (s.GivenName + " " + s.FamilyName).StartsWith(child)).Select(s => s.Id);
            query = query.Where(e => e.StudentId != null && children.Contains(e.StudentId.Value));
        }
        if (f.From is not null || f.To is not null)
        {
            var zone = (await db.Tenants.AsNoTracking().SingleAsync(ct)).TimeZone;
            if (f.From is { } from) { var start = LocalDays.StartUtc(from, zone); query = query.Where(e => e.At >= start); }
            if (f.To is { } to) { var end = LocalDays.StartUtc(to.AddDays(1), zone); query = query.Where(e => e.At < end); }
        }
        return query;
    }

    /// <summary>Days the log can hold (a year like 0001 or 9999 is a typing slip, and would overflow the day's bounds).</summary>
    private static void CheckDays(DateOnly? from, DateOnly? to)
    {
        foreach (var (day, field) in new[] { (from, "From"), (to, "To") })
            if (day is { Year: < 2000 or > 2100 })
                throw ValidationFailedException.For(field, "Choose a date between 2000 and 2100.");
        if (from > to)
            throw ValidationFailedException.For("To", "The end date must not be before the start date.");
    }

    /// <summary>Plain words for an action, as the audit page and the guardian's report say it.</summary>
    private static string? Invariant(long? n) => n?.ToString(CultureInfo.InvariantCulture);
    private static string? Truncate(string? s, int max) => s is null || s.Length <= max ? s : s[..max];
}
