using System.Text;
using SuccessPlans.Csv;
using SuccessPlans.Data;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Referrals;
using SuccessPlans.Features.Schools;
using SuccessPlans.Features.Students;

namespace SuccessPlans.Features.Roster;

public sealed record RosterImportResult(int SchoolsAdded, int SchoolsUpdated, int StudentsAdded, int StudentsUpdated, int StudentsWithdrawn);

/// <summary>A row the import leaves out, and why (a <see cref="CoreMessage"/>: a page shows it in the reader's language).</summary>
public sealed record RejectedRow(string File, int Line, CoreMessage Reason)
{
    public override string ToString() => ImportFileException.At(File, Line, Reason).ToString();
}

/// <summary>A child the import would withdraw although work is still open for them.</summary>
public sealed record OpenWorkOnWithdrawal(int StudentId, string Name, string School, bool ActivePlan, int OpenReferrals);

/// <summary>
/// What an import would do, worked out before anything is written: the Admin reads it, then confirms.
/// A file-level problem (no users.csv, wrong headers, a broken quote) means nothing can be imported.
/// </summary>
public sealed class RosterImportPreview
{
    /// <summary>Each names its file and line ("users.csv line 1: missing column(s) …").</summary>
    public List<CoreMessage> FileErrors { get; } = [];
    public List<RejectedRow> Rejected { get; } = [];
    /// <summary>The OneRoster version read (manifest.csv's oneroster.version): "1.1" or "1.2".</summary>
    public string Version { get; internal set; } = OneRosterImporter.Version11;
    public int SchoolsToAdd { get; internal set; }
    public int SchoolsToUpdate { get; internal set; }
    public int StudentsToAdd { get; internal set; }
    public int StudentsToUpdate { get; internal set; }
    public int StudentsToWithdraw { get; internal set; }
    public int StudentsUnchanged { get; internal set; }
    public int ClassesToAdd { get; internal set; }
    public int ClassesToUpdate { get; internal set; }
    public int Enrollments => Classes.Sum(c => c.StudentIds.Count);
    /// <summary>Children to be withdrawn who still have an active plan or an open referral, by name.</summary>
    public List<OpenWorkOnWithdrawal> WithdrawalsWithOpenWork { get; } = [];
    public bool CanImport => FileErrors.Count == 0;

    internal List<OneRosterImporter.OrgRow> Orgs { get; } = [];
    internal List<OneRosterImporter.StudentRow> Students { get; } = [];
    internal List<OneRosterImporter.ClassRow> Classes { get; } = [];
    /// <summary>Students whose users.csv row was rejected, by sourcedId: their enrollments are reported, not dropped silently.</summary>
    internal Dictionary<string, int> RejectedStudents { get; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>
/// OneRoster 1.1 and 1.2 CSV (a zip or the loose files) into the current tenant: orgs of type school to schools, users
/// with role student to students (their school is the first of their orgs that is a school), guardian contact from the
/// student's agent (metadata.homeLanguage for the home language), birth dates from demographics.csv. 1.2 keeps roles in
/// roles.csv and adds primaryOrgSourcedId, preferred names and pronouns to users.csv. Idempotent by sourcedId, compared
/// without case; `tobedeleted` withdraws a student and never deletes plans or history. Every change to a child is
/// written to the child's history, and every row left out is reported with its reason.
/// </summary>
public sealed class OneRosterImporter(AppDbContext db, TimeProvider time)
{
    public const string Version11 = "1.1";
    public const string Version12 = "1.2";

    internal sealed record OrgRow(int Line, string SourcedId, string Name, bool Deleted);
    internal sealed record StudentRow(int Line, string SourcedId, bool Deleted, IReadOnlyList<string> OrgSourcedIds, string GivenName, string FamilyName,
        string? PreferredGivenName, string? PreferredFamilyName, string? Pronouns,
        string? Identifier, string? Grade, string? HomeLanguage, string? GuardianName, string? GuardianEmail, string? GuardianPhone, DateOnly? BirthDate)
    {
        /// <summary>The school chosen from <see cref="OrgSourcedIds"/> once the tenant's schools are known.</summary>
        public string OrgSourcedId { get; set; } = "";
    }
    private sealed record GuardianRow(string Name, string? Email, string? Phone);
    internal sealed record ClassRow(int Line, string SourcedId, string Title, string? Grade, string SchoolSourcedId, bool Deleted)
    {
        public string? TeacherName { get; set; }
        public List<string> StudentIds { get; } = [];
        /// <summary>The enrollments.csv rows of students, kept until the preview knows which students exist.</summary>
        public List<(int Line, string UserSourcedId)> StudentEnrollments { get; } = [];
    }

    /// <summary>A users.csv row with its roles and the orgs it belongs to as a student, whichever version the file is.</summary>
    private sealed record UserRecord(CsvRow Row, string SourcedId, string[] Roles, List<string> StudentOrgs)
    {
        // A loop, not Array.Exists with a lambda: asked several times for each of the file's users.
        public bool Is(string role)
        {
            foreach (var r in Roles)
                if (r.Equals(role, StringComparison.OrdinalIgnoreCase)) return true;
            return false;
        }
    }

    private const int BatchSize = 5000;
    private static readonly StringComparer Keys = StringComparer.OrdinalIgnoreCase;
    private static readonly HashSet<string> ImportedRoles = new(["student", "teacher", "guardian", "parent", "relative"], Keys);
    private static readonly ReferralStatus[] OpenReferral = [ReferralStatus.Sent, ReferralStatus.Accepted, ReferralStatus.InService];

    /// <summary>Works out the import without writing anything.</summary>
    public async Task<RosterImportPreview> PreviewAsync(IReadOnlyDictionary<string, string> files, CancellationToken ct = default)
    {
        var preview = new RosterImportPreview();
        foreach (var name in files.Keys.Where(k => k.EndsWith("(not a zip file)", StringComparison.Ordinal)))
            preview.FileErrors.Add(ImportFileException.At(name.Replace(" (not a zip file)", ""), 0, "not a zip file that can be read"));
        if (!files.ContainsKey("orgs.csv")) preview.FileErrors.Add(ImportFileException.At("orgs.csv", 0, "file not found"));
        if (!files.ContainsKey("users.csv")) preview.FileErrors.Add(ImportFileException.At("users.csv", 0, "file not found"));
        if (preview.FileErrors.Count > 0)
            return preview;

        try
        {
            preview.Version = ReadVersion(files);
            if (preview.Version == Version12 && !files.ContainsKey("roles.csv"))
                throw new ImportFileException("roles.csv", 0, "file not found (OneRoster 1.2 lists each user's roles there)");
            ReadOrgs(files["orgs.csv"], preview);
            var birthDates = files.TryGetValue("demographics.csv", out var demographics) ? ReadBirthDates(demographics, preview) : new(Keys);
            var users = preview.Version == Version12
                ? ReadUsers12(files["users.csv"], files["roles.csv"], files.GetValueOrDefault("userProfiles.csv"), preview)
                : ReadUsers11(files["users.csv"], preview);
            var teachers = ReadStudents(users, birthDates, preview);
            if (files.TryGetValue("classes.csv", out var classes))
                ReadClasses(classes, files.GetValueOrDefault("enrollments.csv"), teachers, preview);
        }
        catch (ImportFileException e)
        {
            preview.FileErrors.Add(e.Text);
            return preview;
        }

        // Compare with what the tenant holds, set-based: one query per table.
        var schools = ByKey(await db.Schools.AsNoTracking().Where(s => s.ExternalId != null).Select(s => new { ExternalId = s.ExternalId!, s.Name }).ToListAsync(ct), s => s.ExternalId);
        var fileSchools = preview.Orgs.Where(o => !o.Deleted).Select(o => o.SourcedId).ToHashSet(Keys);
        preview.SchoolsToAdd = preview.Orgs.Count(o => !o.Deleted && !schools.ContainsKey(o.SourcedId));
        preview.SchoolsToUpdate = preview.Orgs.Count(o => !o.Deleted && schools.TryGetValue(o.SourcedId, out var school) && school.Name != o.Name);

        // A child belongs to the first of their orgs that is a school: files often list the district first.
        var kept = new List<StudentRow>();
        foreach (var row in preview.Students)
        {
            if (!row.Deleted)
            {
                var school = row.OrgSourcedIds.FirstOrDefault(o => fileSchools.Contains(o) || schools.ContainsKey(o));
                if (school is null)
                {
                    var orgs = string.Join(", ", row.OrgSourcedIds.Select(o => $"'{o}'"));
                    preview.Rejected.Add(new RejectedRow("users.csv", row.Line, (preview.Version == Version12, row.OrgSourcedIds.Count == 1) switch
                    {
                        (true, true) => $"primaryOrgSourcedId and student roles {orgs} is not a school in orgs.csv",
                        (true, false) => $"primaryOrgSourcedId and student roles {orgs}: none is a school in orgs.csv",
                        (false, true) => $"orgSourcedIds {orgs} is not a school in orgs.csv",
                        (false, false) => (CoreMessage)$"orgSourcedIds {orgs}: none is a school in orgs.csv",
                    }));
                    preview.RejectedStudents.TryAdd(row.SourcedId, row.Line);
                    continue;
                }
                row.OrgSourcedId = school;
            }
            kept.Add(row);
        }
        preview.Students.Clear();
        preview.Students.AddRange(kept);

        var existing = ByKey(await db.Students.AsNoTracking().Where(s => s.ExternalId != null)
            .Select(s => new
            {
                s.Id, ExternalId = s.ExternalId!, s.Status, s.GivenName, s.FamilyName, s.PreferredGivenName, s.PreferredFamilyName, s.Pronouns, s.Grade, s.LocalId,
                s.HomeLanguage, s.GuardianName, s.GuardianEmail, s.GuardianPhone, s.BirthDate, School = s.School.ExternalId,
            })
            .ToListAsync(ct), s => s.ExternalId);
        var withdrawing = new List<int>();
        foreach (var row in preview.Students)
        {
            if (!existing.TryGetValue(row.SourcedId, out var current))
            {
                if (!row.Deleted) preview.StudentsToAdd++;
                continue;
            }
            if (row.Deleted)
            {
                if (current.Status == StudentStatus.Active) { preview.StudentsToWithdraw++; withdrawing.Add(current.Id); }
                else preview.StudentsUnchanged++;
                continue;
            }
            var same = current.Status == StudentStatus.Active && current.GivenName == row.GivenName && current.FamilyName == row.FamilyName
                       && current.Grade == row.Grade && current.LocalId == row.Identifier && Keys.Equals(current.School, row.OrgSourcedId)
                       && (row.PreferredGivenName is null || current.PreferredGivenName == row.PreferredGivenName)
                       && (row.PreferredFamilyName is null || current.PreferredFamilyName == row.PreferredFamilyName)
                       && (row.Pronouns is null || current.Pronouns == row.Pronouns)
                       && (row.HomeLanguage is null || current.HomeLanguage == row.HomeLanguage)
                       && (row.GuardianName is null || (current.GuardianName == row.GuardianName && current.GuardianEmail == row.GuardianEmail && current.GuardianPhone == row.GuardianPhone))
                       && (row.BirthDate is null || current.BirthDate == row.BirthDate);
            if (same) preview.StudentsUnchanged++; else preview.StudentsToUpdate++;
        }
        await FindOpenWorkAsync(withdrawing, preview, ct);

        var fileStudents = preview.Students.ToDictionary(r => r.SourcedId, Keys);
        var existingClasses = ByKey(await db.Classes.AsNoTracking().Select(c => new { c.ExternalId, c.Title, c.Grade, c.TeacherName }).ToListAsync(ct), c => c.ExternalId);
        var keptClasses = new List<ClassRow>();
        foreach (var c in preview.Classes)
        {
            if (!c.Deleted && !fileSchools.Contains(c.SchoolSourcedId) && !schools.ContainsKey(c.SchoolSourcedId))
            {
                preview.Rejected.Add(new RejectedRow("classes.csv", c.Line, $"schoolSourcedId '{c.SchoolSourcedId}' is not a school in orgs.csv"));
                foreach (var (line, _) in c.StudentEnrollments)
                    preview.Rejected.Add(new RejectedRow("enrollments.csv", line, $"classSourcedId '{c.SourcedId}' was rejected (classes.csv line {c.Line})"));
                continue;
            }
            foreach (var (line, user) in c.StudentEnrollments)
            {
                var known = fileStudents.TryGetValue(user, out var student) ? !student.Deleted
                    : existing.TryGetValue(user, out var held) && held.Status == StudentStatus.Active;
                if (known) { c.StudentIds.Add(user); continue; }
                var reason = preview.RejectedStudents.TryGetValue(user, out var userLine) ? (CoreMessage)$"userSourcedId '{user}' was rejected (users.csv line {userLine})"
                    : student is { Deleted: true } ? (CoreMessage)$"userSourcedId '{user}' is withdrawn (tobedeleted in users.csv)"
                    : existing.ContainsKey(user) ? (CoreMessage)$"userSourcedId '{user}' is a withdrawn student"
                    : (CoreMessage)$"userSourcedId '{user}' is not a student in users.csv";
                preview.Rejected.Add(new RejectedRow("enrollments.csv", line, reason));
            }
            keptClasses.Add(c);
            if (c.Deleted) continue;
            if (!existingClasses.TryGetValue(c.SourcedId, out var old)) preview.ClassesToAdd++;
            else if ((old.Title, old.Grade, old.TeacherName) != (c.Title, c.Grade, c.TeacherName)) preview.ClassesToUpdate++;
        }
        preview.Classes.Clear();
        preview.Classes.AddRange(keptClasses);
        return preview;
    }

    /// <summary>Names the children to be withdrawn who have an active plan or a referral sent, accepted or in service.</summary>
    private async Task FindOpenWorkAsync(List<int> withdrawing, RosterImportPreview preview, CancellationToken ct)
    {
        foreach (var ids in withdrawing.Chunk(BatchSize))
        {
            var open = await OpenWork(db, ids).ToListAsync(ct);
            preview.WithdrawalsWithOpenWork.AddRange(open.Select(s => new OpenWorkOnWithdrawal(s.Id, $"{s.GivenName} {s.FamilyName}", s.School, s.ActivePlan, s.OpenReferrals)));
        }
        preview.WithdrawalsWithOpenWork.Sort((a, b) => string.Compare(a.Name, b.Name, StringComparison.CurrentCulture));
    }

    public sealed record OpenWorkRow(int Id, string GivenName, string FamilyName, string School, bool ActivePlan, int OpenReferrals);

    // The import's lookups beyond a plain table read (public so their SQL Server translation is tested without a server).

    /// <summary>Of these children, those with an active plan or an open referral.</summary>
    public static IQueryable<OpenWorkRow> OpenWork(AppDbContext db, IReadOnlyCollection<int> studentIds) =>
        db.Students.AsNoTracking().Where(s => studentIds.Contains(s.Id))
            .Select(s => new
            {
                s.Id, s.GivenName, s.FamilyName, School = s.School.Name,
                ActivePlan = db.Plans.Any(p => p.StudentId == s.Id && p.Status == PlanStatus.Active),
                OpenReferrals = db.Referrals.Count(r => r.StudentId == s.Id && OpenReferral.Contains(r.Status)),
            })
            .Where(s => s.ActivePlan || s.OpenReferrals > 0)
            .Select(s => new OpenWorkRow(s.Id, s.GivenName, s.FamilyName, s.School, s.ActivePlan, s.OpenReferrals));

    /// <summary>The children with these OneRoster ids (compared without case, by the column's collation), tracked.</summary>
    public static IQueryable<Student> StudentsByExternalId(AppDbContext db, IReadOnlyCollection<string> ids) => db.Students.Where(s => ids.Contains(s.ExternalId!));

    /// <summary>
    /// Writes what the preview worked out (rejected rows left out), in one transaction. Each change to a child goes to
    /// the child's history as <paramref name="actor"/>'s, naming the upload.
    /// </summary>
    public async Task<RosterImportResult> ApplyAsync(RosterImportPreview preview, Actor actor, int? uploadId = null, CancellationToken ct = default)
    {
        if (!preview.CanImport)
            throw new InvalidOperationException("This import has file errors and cannot be applied.");
        // A retry replays the whole import from the database's state: the preview is only read.
        return await db.InTransactionAsync(ct => WriteAsync(preview, actor, uploadId, ct), ct);
    }

    private async Task<RosterImportResult> WriteAsync(RosterImportPreview preview, Actor actor, int? uploadId, CancellationToken ct)
    {
        var autoDetect = db.ChangeTracker.AutoDetectChangesEnabled;
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            var schools = ByKey(await db.Schools.Where(s => s.ExternalId != null).ToListAsync(ct), s => s.ExternalId!);
            int schoolsAdded = 0, schoolsUpdated = 0;
            foreach (var org in preview.Orgs.Where(o => !o.Deleted))
            {
                if (schools.TryGetValue(org.SourcedId, out var school))
                {
                    if (school.Name != org.Name) { school.Name = org.Name; db.Entry(school).State = EntityState.Modified; schoolsUpdated++; }
                    continue;
                }
                school = new School { Name = org.Name, ExternalId = org.SourcedId };
                db.Schools.Add(school);
                schools[org.SourcedId] = school;
                schoolsAdded++;
            }
            await db.SaveChangesAsync(ct);
            var schoolIds = schools.ToDictionary(s => s.Key, s => s.Value.Id, Keys);
            var schoolNames = schools.Values.ToDictionary(s => s.Id, s => s.Name);
            db.ChangeTracker.Clear();

            var history = new StudentHistory(actor, uploadId, time.GetUtcNow().UtcDateTime);
            var tenantId = db.CurrentTenantId ?? throw new InvalidOperationException("An import needs a tenant.");
            int added = 0, updated = 0, withdrawn = 0;
            foreach (var batch in preview.Students.Chunk(BatchSize))
            {
                var ids = batch.Select(r => r.SourcedId).ToList();
                var existing = ByKey(await StudentsByExternalId(db, ids).ToListAsync(ct), s => s.ExternalId!);
                var events = new List<(int StudentId, string Action, string Details)>();
                var addedNow = new List<Student>();
                foreach (var row in batch)
                {
                    existing.TryGetValue(row.SourcedId, out var student);
                    if (row.Deleted)
                    {
                        // Withdrawn, never deleted: the child's plans and history stay.
                        if (student is { Status: StudentStatus.Active })
                        {
                            student.Status = StudentStatus.Withdrawn;
                            db.Entry(student).State = EntityState.Modified;
                            events.Add(history.Event(student.Id, "withdrawn by roster import", $"{schoolNames.GetValueOrDefault(student.SchoolId)}, grade {student.Grade ?? "none"}"));
                            withdrawn++;
                        }
                        continue;
                    }
                    var isNew = student is null;
                    student ??= new Student { GivenName = row.GivenName, FamilyName = row.FamilyName, ExternalId = row.SourcedId };
                    var before = isNew ? null : StudentValues.Of(student);
                    student.SchoolId = schoolIds[row.OrgSourcedId];
                    student.GivenName = row.GivenName;
                    student.FamilyName = row.FamilyName;
                    student.LocalId = row.Identifier;
                    student.Grade = row.Grade;
                    student.Status = StudentStatus.Active;
                    if (row.PreferredGivenName is not null) student.PreferredGivenName = row.PreferredGivenName;
                    if (row.PreferredFamilyName is not null) student.PreferredFamilyName = row.PreferredFamilyName;
                    if (row.Pronouns is not null) student.Pronouns = row.Pronouns;
                    if (row.HomeLanguage is not null) student.HomeLanguage = row.HomeLanguage;
                    if (row.BirthDate is not null) student.BirthDate = row.BirthDate;
                    if (row.GuardianName is not null)
                    {
                        student.GuardianName = row.GuardianName;
                        student.GuardianEmail = row.GuardianEmail;
                        student.GuardianPhone = row.GuardianPhone;
                    }
                    if (isNew) { existing[row.SourcedId] = student; addedNow.Add(student); added++; }
                    else if (before!.Changes(StudentValues.Of(student), schoolNames) is { Count: > 0 } changes)
                    {
                        db.Entry(student).State = EntityState.Modified;
                        events.Add(history.Event(student.Id, "changed by roster import", string.Join("; ", changes)));
                        updated++;
                    }
                }
                await db.SaveChangesAsync(ct);
                // New children in multi-row INSERTs (through EF's change tracker some 70 µs a row: a district's first import
                // is 50,000; issue 15), their ids read back by OneRoster id; their history starts with the import that added them.
                if (addedNow.Count > 0)
                {
                    await BulkInsert.StudentsAsync(db, tenantId, addedNow, ct);
                    var newIds = await StudentsByExternalId(db, addedNow.Select(s => s.ExternalId!).ToList()).Select(s => s.Id).ToListAsync(ct);
                    await history.InsertAddedAsync(db, newIds, ct);
                }
                await history.InsertAsync(db, events, ct);
                db.ChangeTracker.Clear();
            }
            await ApplyClassesAsync(preview, schoolIds, ct);
            return new RosterImportResult(schoolsAdded, schoolsUpdated, added, updated, withdrawn);
        }
        finally
        {
            db.ChangeTracker.AutoDetectChangesEnabled = autoDetect;
        }
    }

    /// <summary>Classes in the file are upserted and their enrollments replaced by the file's; a tobedeleted class goes.</summary>
    private async Task ApplyClassesAsync(RosterImportPreview preview, Dictionary<string, int> schoolIds, CancellationToken ct)
    {
        if (preview.Classes.Count == 0)
            return;
        var classes = ByKey(await db.Classes.ToListAsync(ct), c => c.ExternalId);
        var studentIds = ByKey(await db.Students.Where(s => s.ExternalId != null).Select(s => new { s.Id, ExternalId = s.ExternalId! }).ToListAsync(ct), s => s.ExternalId);
        foreach (var row in preview.Classes.Where(c => !c.Deleted))
        {
            if (!classes.TryGetValue(row.SourcedId, out var c))
            {
                c = new SchoolClass { ExternalId = row.SourcedId, Title = row.Title };
                db.Classes.Add(c);
                classes[row.SourcedId] = c;
            }
            else db.Entry(c).State = EntityState.Modified;
            c.SchoolId = schoolIds[row.SchoolSourcedId];
            c.Title = row.Title;
            c.Grade = row.Grade;
            c.TeacherName = row.TeacherName;
        }
        await db.SaveChangesAsync(ct);
        var touched = preview.Classes.Where(c => classes.ContainsKey(c.SourcedId)).Select(c => classes[c.SourcedId].Id).ToList();
        // Set-based; the tenant filter limits the delete to this tenant's rows.
        await db.ClassEnrollments.Where(e => touched.Contains(e.ClassId)).ExecuteDeleteAsync(ct);
        foreach (var row in preview.Classes.Where(c => c.Deleted && classes.ContainsKey(c.SourcedId)))
            db.Classes.Remove(classes[row.SourcedId]);
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
        // The enrollments in multi-row INSERTs: one by one through EF they cost some 70 µs a row (issue 15). The classes and
        // children are this tenant's, read above.
        var enrollments = preview.Classes.Where(c => !c.Deleted)
            .SelectMany(row => row.StudentIds.Where(studentIds.ContainsKey).Select(id => studentIds[id].Id).Distinct()
                .Select(student => (classes[row.SourcedId].Id, student)))
            .ToList();
        await BulkInsert.EnrollmentsAsync(db, db.CurrentTenantId!.Value, enrollments, ct);
    }

    /// <summary>For the demo seed and commands: a folder of files that must import cleanly, or fail naming file and line.</summary>
    public async Task<RosterImportResult> ImportDirectoryAsync(string directory, CancellationToken ct = default)
    {
        var preview = await PreviewAsync(CsvPackage.ReadDirectory(directory), ct);
        if (preview.FileErrors.Count > 0)
            throw new ImportFileException(Path.GetFileName(Path.TrimEndingDirectorySeparator(directory)), 0, preview.FileErrors[0]);
        if (preview.Rejected.FirstOrDefault() is { } rejected)
            throw new ImportFileException(rejected.File, rejected.Line, rejected.Reason);
        return await ApplyAsync(preview, new Actor(null, $"Roster files ({Path.GetFileName(Path.TrimEndingDirectorySeparator(directory))})"), ct: ct);
    }

    /// <summary>
    /// The INSERT of <paramref name="rows"/> history rows: placeholders 0-3 are shared (tenant, time, user id, user name),
    /// then 4 a row (public: its T-SQL is parsed in the tests).
    /// </summary>
    public static string InsertHistorySql(int rows)
    {
        var sql = new StringBuilder("INSERT INTO \"StudentEvents\" (\"TenantId\", \"At\", \"UserId\", \"UserName\", \"StudentId\", \"Action\", \"Details\", \"Version\") VALUES ");
        for (var i = 0; i < rows; i++)
        {
            var p = 4 + i * 4;
            sql.Append(i == 0 ? "" : ", ").Append($"({{0}}, {{1}}, {{2}}, {{3}}, {{{p}}}, {{{p + 1}}}, {{{p + 2}}}, {{{p + 3}}})");
        }
        return sql.ToString();
    }

    /// <summary>
    /// The history rows of the children just added, built in SQL from their saved rows (school name and grade, as
    /// "Lincoln Elementary, grade 03"): placeholders 0-5 are tenant, time, user id, user name, action and the upload
    /// prefix, 6 the children's ids as a JSON array. A first import adds a row for every child, so these are not
    /// sent row by row from C# (public: the SQL Server text is parsed in the tests).
    /// </summary>
    public static string InsertAddedHistorySql(bool sqlServer) => sqlServer
        ? "INSERT INTO \"StudentEvents\" (\"TenantId\", \"At\", \"UserId\", \"UserName\", \"StudentId\", \"Action\", \"Details\", \"Version\") "
          + "SELECT s.\"TenantId\", {1}, {2}, {3}, s.\"Id\", {4}, LEFT(CONCAT({5}, c.\"Name\", N', grade ', COALESCE(s.\"Grade\", N'none')), 2000), NEWID() "
          + "FROM \"Students\" AS s INNER JOIN \"Schools\" AS c ON c.\"Id\" = s.\"SchoolId\" "
          + "WHERE s.\"TenantId\" = {0} AND s.\"Id\" IN (SELECT CAST(j.[value] AS int) FROM OPENJSON({6}) AS j) ORDER BY s.\"Id\""
        // SQLite: EF stores a Guid as upper-case text in the 8-4-4-4-12 form; hex() is upper-case.
        : "INSERT INTO \"StudentEvents\" (\"TenantId\", \"At\", \"UserId\", \"UserName\", \"StudentId\", \"Action\", \"Details\", \"Version\") "
          + "SELECT s.\"TenantId\", {1}, {2}, {3}, s.\"Id\", {4}, substr({5} || c.\"Name\" || ', grade ' || coalesce(s.\"Grade\", 'none'), 1, 2000), "
          + "hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(6)) "
          + "FROM \"Students\" AS s INNER JOIN \"Schools\" AS c ON c.\"Id\" = s.\"SchoolId\" "
          + "WHERE s.\"TenantId\" = {0} AND s.\"Id\" IN (SELECT j.value FROM json_each({6}) AS j) ORDER BY s.\"Id\"";

    /// <summary>The history rows of one import: who, when and which upload.</summary>
    private sealed class StudentHistory(Actor actor, int? uploadId, DateTime at)
    {
        private readonly string _upload = uploadId is { } id ? $"roster upload #{id}: " : "";

        /// <summary>One "added by roster import" row for each of these new children, in one statement per batch.</summary>
        public async Task InsertAddedAsync(AppDbContext db, IEnumerable<int> studentIds, CancellationToken ct)
        {
            var ids = string.Join(',', studentIds);
            if (ids.Length == 0) return;
            var tenantId = db.CurrentTenantId ?? throw new InvalidOperationException("A roster import needs a tenant in scope.");
            await db.Database.ExecuteSqlRawAsync(InsertAddedHistorySql(db.Database.IsSqlServer()),
                new object?[] { tenantId, at, actor.UserId, actor.Name, "added by roster import", _upload, $"[{ids}]" }!, ct);
        }

        public (int StudentId, string Action, string Details) Event(int studentId, string action, string details) =>
            (studentId, action, Truncate(_upload + details, 2000));

        /// <summary>
        /// The changed and withdrawn children's rows, whose details are worked out in C#: multi-row INSERTs, as the
        /// nightly check writes flags. The rows are this scope's tenant's own, the columns SaveChanges would write; the
        /// SQL is common to SQLite and SQL Server.
        /// </summary>
        public async Task InsertAsync(AppDbContext db, List<(int StudentId, string Action, string Details)> events, CancellationToken ct)
        {
            const int RowsPerStatement = 500; // 4 parameters a row and 4 shared: under SQL Server's 2,100
            var tenantId = db.CurrentTenantId ?? throw new InvalidOperationException("A roster import needs a tenant in scope.");
            var sqlite = db.Database.IsSqlite();
            foreach (var chunk in events.Chunk(RowsPerStatement))
            {
                var parameters = new List<object?>(4 + chunk.Length * 4) { tenantId, at, actor.UserId, actor.Name };
                for (var i = 0; i < chunk.Length; i++)
                {
                    // On SQLite EF stores a Guid as upper-case text.
                    parameters.AddRange([chunk[i].StudentId, chunk[i].Action, chunk[i].Details, sqlite ? Guid.NewGuid().ToString().ToUpperInvariant() : Guid.NewGuid()]);
                }
                await db.Database.ExecuteSqlRawAsync(InsertHistorySql(chunk.Length), parameters!, ct);
            }
        }
    }

    /// <summary>What an import can change about a child, so a change is described field by field.</summary>
    private sealed record StudentValues(int SchoolId, string GivenName, string FamilyName, string? PreferredGivenName, string? PreferredFamilyName, string? Pronouns,
        string? LocalId, string? Grade, StudentStatus Status, string? HomeLanguage, DateOnly? BirthDate, string? GuardianName, string? GuardianEmail, string? GuardianPhone)
    {
        public static StudentValues Of(Student s) => new(s.SchoolId, s.GivenName, s.FamilyName, s.PreferredGivenName, s.PreferredFamilyName, s.Pronouns,
            s.LocalId, s.Grade, s.Status, s.HomeLanguage, s.BirthDate, s.GuardianName, s.GuardianEmail, s.GuardianPhone);

        public List<string> Changes(StudentValues now, Dictionary<int, string> schoolNames)
        {
            var changes = new List<string>();
            void Compare<T>(string what, T before, T after, Func<T, string?>? show = null)
            {
                if (EqualityComparer<T>.Default.Equals(before, after)) return;
                show ??= v => v?.ToString();
                changes.Add($"{what} {show(before) ?? "none"} → {show(after) ?? "none"}");
            }
            Compare("status", Status, now.Status, s => s == StudentStatus.Active ? "active" : "withdrawn");
            Compare("school", SchoolId, now.SchoolId, id => schoolNames.GetValueOrDefault(id));
            Compare("grade", Grade, now.Grade);
            Compare("name", $"{GivenName} {FamilyName}", $"{now.GivenName} {now.FamilyName}");
            Compare("preferred name", PreferredGivenName, now.PreferredGivenName);
            Compare("preferred family name", PreferredFamilyName, now.PreferredFamilyName);
            Compare("pronouns", Pronouns, now.Pronouns);
            Compare("local id", LocalId, now.LocalId);
            Compare("home language", HomeLanguage, now.HomeLanguage);
            Compare("birth date", BirthDate, now.BirthDate, d => d?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
            Compare("guardian", (GuardianName, GuardianEmail, GuardianPhone), (now.GuardianName, now.GuardianEmail, now.GuardianPhone),
                g => g.GuardianName is null ? null : string.Join(", ", new[] { g.GuardianName, g.GuardianEmail, g.GuardianPhone }.Where(x => x is not null)));
            return changes;
        }
    }

    /// <summary>A dictionary by a key compared without case; a key seen twice keeps its first row.</summary>
    private static Dictionary<string, T> ByKey<T>(IEnumerable<T> rows, Func<T, string> key)
    {
        var result = new Dictionary<string, T>(Keys);
        foreach (var row in rows)
            result.TryAdd(key(row), row);
        return result;
    }

    /// <summary>manifest.csv's oneroster.version; without a manifest, a package with roles.csv is 1.2.</summary>
    private static string ReadVersion(IReadOnlyDictionary<string, string> files)
    {
        if (files.TryGetValue("manifest.csv", out var text))
        {
            var manifest = CsvFile.Parse("manifest.csv", text);
            manifest.RequireHeaders("propertyName", "value");
            if (manifest.Rows.FirstOrDefault(r => r["propertyName"].Equals("oneroster.version", StringComparison.OrdinalIgnoreCase)) is { } row)
            {
                return row["value"] switch
                {
                    Version11 => Version11,
                    Version12 or "1.2.1" => Version12,
                    var other => throw row.Error($"oneroster.version '{other}' is not supported (this import reads OneRoster 1.1 and 1.2)"),
                };
            }
        }
        return files.ContainsKey("roles.csv") ? Version12 : Version11;
    }

    private static void ReadOrgs(string text, RosterImportPreview preview)
    {
        var file = CsvFile.Parse("orgs.csv", text);
        file.RequireHeaders("sourcedId", "status", "name", "type");
        var seen = new HashSet<string>(Keys);
        foreach (var r in file.Rows)
        {
            // Districts and other orgs are not imported; students that name them first are placed by their school.
            if (!r["type"].Equals("school", StringComparison.OrdinalIgnoreCase)) continue;
            var id = r["sourcedId"];
            if (id.Length == 0) { preview.Rejected.Add(new("orgs.csv", r.Line, "field 'sourcedId' is empty")); continue; }
            if (id.Length > 128) { preview.Rejected.Add(new("orgs.csv", r.Line, "field 'sourcedId' is longer than 128 characters")); continue; }
            if (!seen.Add(id)) { preview.Rejected.Add(new("orgs.csv", r.Line, $"sourcedId '{id}' appears twice")); continue; }
            var name = r["name"];
            if (name.Length == 0 && !IsDeleted(r)) { preview.Rejected.Add(new("orgs.csv", r.Line, "field 'name' is empty")); continue; }
            preview.Orgs.Add(new OrgRow(r.Line, id, Truncate(name, 200), IsDeleted(r)));
        }
    }

    /// <summary>OneRoster 1.1: the role and the orgs are columns of users.csv.</summary>
    private static List<UserRecord> ReadUsers11(string text, RosterImportPreview preview)
    {
        var file = CsvFile.Parse("users.csv", text);
        if (!file.Has("role") && file.Has("primaryOrgSourcedId"))
            throw new ImportFileException("users.csv", 1, "this is OneRoster 1.2 (no 'role' column, a 'primaryOrgSourcedId' column): include roles.csv, and manifest.csv with oneroster.version 1.2");
        file.RequireHeaders("sourcedId", "status", "role", "orgSourcedIds", "givenName", "familyName");
        var users = new List<UserRecord>();
        foreach (var r in file.Rows)
        {
            var role = r["role"];
            if (!ImportedRoles.Contains(role))
            {
                preview.Rejected.Add(new("users.csv", r.Line, $"role '{role}' is not imported (students, teachers and guardians are)"));
                continue;
            }
            users.Add(new UserRecord(r, r["sourcedId"], [role], SplitList(r["orgSourcedIds"])));
        }
        return users;
    }

    /// <summary>
    /// OneRoster 1.2: users.csv has no role; roles.csv gives each user's roles at orgs (primary first), and
    /// primaryOrgSourcedId comes before them. userProfiles.csv (an app's logins) is checked, not kept, as 1.1's passwords.
    /// </summary>
    private static List<UserRecord> ReadUsers12(string usersText, string rolesText, string? profilesText, RosterImportPreview preview)
    {
        var file = CsvFile.Parse("users.csv", usersText);
        file.RequireHeaders("sourcedId", "status", "givenName", "familyName");
        var rows = file.Rows.ToList();
        var known = rows.Select(r => r["sourcedId"]).Where(id => id.Length > 0).ToHashSet(Keys);

        var profiles = new HashSet<string>(Keys);
        if (profilesText is not null)
        {
            var profileFile = CsvFile.Parse("userProfiles.csv", profilesText);
            profileFile.RequireHeaders("sourcedId", "status", "userSourcedId", "profileType");
            foreach (var r in profileFile.Rows)
            {
                if (IsDeleted(r)) continue;
                if (!known.Contains(r["userSourcedId"]))
                    preview.Rejected.Add(new("userProfiles.csv", r.Line, $"userSourcedId '{r["userSourcedId"]}' is not in users.csv"));
                else
                    profiles.Add(r["sourcedId"]);
            }
        }

        var roles = CsvFile.Parse("roles.csv", rolesText);
        roles.RequireHeaders("sourcedId", "status", "userSourcedId", "roleType", "role", "orgSourcedId");
        var byUser = new Dictionary<string, List<(bool Primary, string Role, string Org)>>(Keys);
        var withRoleRows = new HashSet<string>(Keys);
        foreach (var r in roles.Rows)
        {
            if (IsDeleted(r)) continue;
            var user = r["userSourcedId"];
            withRoleRows.Add(user);
            var role = r["role"];
            CoreMessage? reason = !known.Contains(user) ? (CoreMessage)$"userSourcedId '{user}' is not in users.csv"
                : !ImportedRoles.Contains(role) ? (CoreMessage)$"role '{role}' is not imported (students, teachers and guardians are)"
                : r["orgSourcedId"].Length == 0 ? (CoreMessage)"field 'orgSourcedId' is empty"
                : r.Optional("userProfileSourcedId") is { } profile && !profiles.Contains(profile) ? (CoreMessage)$"userProfileSourcedId '{profile}' is not in userProfiles.csv"
                : null;
            if (reason is not null) { preview.Rejected.Add(new("roles.csv", r.Line, reason)); continue; }
            if (!byUser.TryGetValue(user, out var list)) byUser[user] = list = [];
            list.Add((r["roleType"].Equals("primary", StringComparison.OrdinalIgnoreCase), role, r["orgSourcedId"]));
        }

        var users = new List<UserRecord>();
        foreach (var r in rows)
        {
            if (!byUser.TryGetValue(r["sourcedId"], out var userRoles))
            {
                // A user with no role left is only a withdrawal instruction when it is tobedeleted; otherwise it carries nothing to import.
                if (withRoleRows.Contains(r["sourcedId"]))
                    continue; // its roles.csv rows are reported
                if (!IsDeleted(r) || r["sourcedId"].Length == 0)
                    preview.Rejected.Add(new("users.csv", r.Line, $"sourcedId '{r["sourcedId"]}' has no role in roles.csv"));
                else
                    users.Add(new UserRecord(r, r["sourcedId"], ["student"], []));
                continue;
            }
            var orgs = new List<string>();
            if (r.Optional("primaryOrgSourcedId") is { } primary) orgs.Add(primary);
            orgs.AddRange(userRoles.Where(x => x.Role.Equals("student", StringComparison.OrdinalIgnoreCase)).OrderByDescending(x => x.Primary).Select(x => x.Org));
            users.Add(new UserRecord(r, r["sourcedId"], [.. userRoles.Select(x => x.Role)], orgs.Distinct(Keys).ToList()));
        }
        return users;
    }

    /// <summary>Reads students (and their guardians) from the users of either version; returns the teachers' names by sourcedId.</summary>
    private static Dictionary<string, string> ReadStudents(List<UserRecord> users, Dictionary<string, (DateOnly Date, int Line)> birthDates, RosterImportPreview preview)
    {
        var guardians = new Dictionary<string, GuardianRow>(Keys);
        foreach (var u in users.Where(u => u.Is("guardian") || u.Is("parent") || u.Is("relative")))
        {
            var r = u.Row;
            guardians[u.SourcedId] = new GuardianRow(Truncate($"{r["givenName"]} {r["familyName"]}".Trim(), 200), Limit(r.Optional("email"), 256), Limit(r.Optional("phone") ?? r.Optional("sms"), 40));
        }

        var seen = new HashSet<string>(Keys);
        foreach (var u in users.Where(u => u.Is("student")))
        {
            var r = u.Row;
            var id = u.SourcedId;
            CoreMessage? reason = id.Length == 0 ? (CoreMessage)"field 'sourcedId' is empty"
                : id.Length > 128 ? (CoreMessage)"field 'sourcedId' is longer than 128 characters"
                : !seen.Add(id) ? (CoreMessage)$"sourcedId '{id}' appears twice"
                : null;
            var deleted = IsDeleted(r);
            if (reason is null && !deleted)
            {
                reason = u.StudentOrgs.Count == 0 ? (preview.Version == Version12 ? (CoreMessage)"no school: field 'primaryOrgSourcedId' is empty and no student role names an org" : (CoreMessage)"field 'orgSourcedIds' is empty")
                    : r["givenName"].Length == 0 ? (CoreMessage)"field 'givenName' is empty"
                    : r["familyName"].Length == 0 ? (CoreMessage)"field 'familyName' is empty"
                    : null;
            }
            if (reason is not null)
            {
                preview.Rejected.Add(new("users.csv", r.Line, reason));
                // The first row of a sourcedId given twice is imported; only a wholly rejected student's enrollments go.
                if (id.Length > 0 && !reason.Format.EndsWith("appears twice", StringComparison.Ordinal)) preview.RejectedStudents.TryAdd(id, r.Line);
                continue;
            }
            guardians.TryGetValue(SplitList(r["agentSourcedIds"]).FirstOrDefault() ?? "", out var guardian);
            preview.Students.Add(new StudentRow(r.Line, id, deleted, u.StudentOrgs, Truncate(r["givenName"], 100), Truncate(r["familyName"], 100),
                Limit(r.Optional("preferredGivenName"), 100), Limit(r.Optional("preferredFamilyName"), 100), Limit(r.Optional("pronouns"), 40),
                Limit(r.Optional("identifier"), 64), Limit(SplitList(r["grades"]).FirstOrDefault(), 8), Limit(r.Optional("metadata.homeLanguage"), 35),
                guardian?.Name, guardian?.Email, guardian?.Phone, birthDates.Remove(id, out var birth) ? birth.Date : null));
        }
        foreach (var (id, (_, line)) in birthDates)
            preview.Rejected.Add(new("demographics.csv", line, preview.RejectedStudents.TryGetValue(id, out var userLine)
                ? (CoreMessage)$"sourcedId '{id}' was rejected (users.csv line {userLine})"
                : (CoreMessage)$"sourcedId '{id}' is not a student in users.csv (birth dates are kept for students only)"));
        return users.Where(u => u.Is("teacher"))
            .GroupBy(u => u.SourcedId, Keys)
            .ToDictionary(g => g.Key, g => Truncate($"{g.First().Row["givenName"]} {g.First().Row["familyName"]}".Trim(), 200), Keys);
    }

    private static void ReadClasses(string classesText, string? enrollmentsText, Dictionary<string, string> teachers, RosterImportPreview preview)
    {
        var file = CsvFile.Parse("classes.csv", classesText);
        file.RequireHeaders("sourcedId", "status", "title", "schoolSourcedId");
        var byId = new Dictionary<string, ClassRow>(Keys);
        var rejectedClasses = new Dictionary<string, int>(Keys);
        foreach (var r in file.Rows)
        {
            var id = r["sourcedId"];
            CoreMessage? reason = id.Length == 0 || id.Length > 128 ? (CoreMessage)"field 'sourcedId' is empty or longer than 128 characters"
                : byId.ContainsKey(id) ? (CoreMessage)$"sourcedId '{id}' appears twice"
                : r["title"].Length == 0 && !IsDeleted(r) ? (CoreMessage)"field 'title' is empty"
                : null;
            if (reason is not null)
            {
                preview.Rejected.Add(new("classes.csv", r.Line, reason));
                if (id.Length > 0 && !byId.ContainsKey(id)) rejectedClasses.TryAdd(id, r.Line);
                continue;
            }
            var row = new ClassRow(r.Line, id, Truncate(r["title"], 200), Limit(SplitList(r["grades"]).FirstOrDefault(), 8), r["schoolSourcedId"], IsDeleted(r));
            byId[id] = row;
            preview.Classes.Add(row);
        }
        if (enrollmentsText is null) return;
        var enrollments = CsvFile.Parse("enrollments.csv", enrollmentsText);
        enrollments.RequireHeaders("sourcedId", "status", "classSourcedId", "userSourcedId", "role");
        foreach (var r in enrollments.Rows)
        {
            // A class's enrollments are replaced by the file's, so a tobedeleted enrollment is already gone.
            if (IsDeleted(r)) continue;
            var classId = r["classSourcedId"];
            if (!byId.TryGetValue(classId, out var c))
            {
                preview.Rejected.Add(new("enrollments.csv", r.Line, rejectedClasses.TryGetValue(classId, out var classLine)
                    ? (CoreMessage)$"classSourcedId '{classId}' was rejected (classes.csv line {classLine})"
                    : (CoreMessage)$"classSourcedId '{classId}' is not a class in classes.csv"));
                continue;
            }
            var user = r["userSourcedId"];
            switch (r["role"].ToLowerInvariant())
            {
                case "student":
                    c.StudentEnrollments.Add((r.Line, user));
                    break;
                case "teacher" when !teachers.ContainsKey(user):
                    preview.Rejected.Add(new("enrollments.csv", r.Line, $"userSourcedId '{user}' is not a teacher in users.csv"));
                    break;
                case "teacher":
                    // The primary teacher names the class; another teacher only when none is primary.
                    if (c.TeacherName is null || r["primary"].Equals("true", StringComparison.OrdinalIgnoreCase))
                        c.TeacherName = teachers[user];
                    break;
                default:
                    preview.Rejected.Add(new("enrollments.csv", r.Line, $"role '{r["role"]}' is not imported (students and teachers are)"));
                    break;
            }
        }
    }

    private static Dictionary<string, (DateOnly Date, int Line)> ReadBirthDates(string text, RosterImportPreview preview)
    {
        var file = CsvFile.Parse("demographics.csv", text);
        file.RequireHeaders("sourcedId", "birthDate");
        var result = new Dictionary<string, (DateOnly, int)>(Keys);
        foreach (var r in file.Rows)
        {
            if (r.Optional("birthDate") is not { } value) continue;
            if (!DateOnly.TryParseExact(value, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var date))
                preview.Rejected.Add(new("demographics.csv", r.Line, $"field 'birthDate' is not a date (yyyy-MM-dd): '{value}'"));
            else
                result[r["sourcedId"]] = (date, r.Line);
        }
        return result;
    }

    private static bool IsDeleted(CsvRow r) => r["status"].Equals("tobedeleted", StringComparison.OrdinalIgnoreCase);
    private static List<string> SplitList(string list) => [.. list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];
    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];
    private static string? Limit(string? s, int max) => s is null ? null : Truncate(s, max);
}
