using SuccessPlans.Csv;
using SuccessPlans.Data;
using SuccessPlans.Features.Schools;
using SuccessPlans.Features.Students;

namespace SuccessPlans.Features.Roster;

public sealed record RosterImportResult(int SchoolsAdded, int SchoolsUpdated, int StudentsAdded, int StudentsUpdated, int StudentsWithdrawn);

/// <summary>A row the import leaves out, and why.</summary>
public sealed record RejectedRow(string File, int Line, string Reason);

/// <summary>
/// What an import would do, worked out before anything is written: the Admin reads it, then confirms.
/// A file-level problem (no users.csv, wrong headers, a broken quote) means nothing can be imported.
/// </summary>
public sealed class RosterImportPreview
{
    public List<string> FileErrors { get; } = [];
    public List<RejectedRow> Rejected { get; } = [];
    public int SchoolsToAdd { get; internal set; }
    public int SchoolsToUpdate { get; internal set; }
    public int StudentsToAdd { get; internal set; }
    public int StudentsToUpdate { get; internal set; }
    public int StudentsToWithdraw { get; internal set; }
    public int StudentsUnchanged { get; internal set; }
    public int ClassesToAdd { get; internal set; }
    public int ClassesToUpdate { get; internal set; }
    public int Enrollments => Classes.Sum(c => c.StudentIds.Count);
    public bool CanImport => FileErrors.Count == 0;

    internal List<OneRosterImporter.OrgRow> Orgs { get; } = [];
    internal List<OneRosterImporter.StudentRow> Students { get; } = [];
    internal List<OneRosterImporter.ClassRow> Classes { get; } = [];
}

/// <summary>
/// OneRoster 1.1 CSV (a zip or the loose files) into the current tenant: orgs of type school to schools, users
/// with role student to students (school from orgSourcedIds), guardian contact from the student's agent
/// (metadata.homeLanguage for the home language), birth dates from demographics.csv. Idempotent by
/// sourcedId; `tobedeleted` withdraws a student and never deletes plans or history.
/// </summary>
public sealed class OneRosterImporter(AppDbContext db)
{
    internal sealed record OrgRow(int Line, string SourcedId, string Name, bool Deleted);
    internal sealed record StudentRow(int Line, string SourcedId, bool Deleted, string OrgSourcedId, string GivenName, string FamilyName,
        string? Identifier, string? Grade, string? HomeLanguage, string? GuardianName, string? GuardianEmail, string? GuardianPhone, DateOnly? BirthDate);
    private sealed record GuardianRow(string Name, string? Email, string? Phone);
    internal sealed record ClassRow(int Line, string SourcedId, string Title, string? Grade, string SchoolSourcedId, bool Deleted)
    {
        public string? TeacherName { get; set; }
        public List<string> StudentIds { get; } = [];
    }

    private const int BatchSize = 5000;

    /// <summary>Works out the import without writing anything.</summary>
    public async Task<RosterImportPreview> PreviewAsync(IReadOnlyDictionary<string, string> files, CancellationToken ct = default)
    {
        var preview = new RosterImportPreview();
        foreach (var name in files.Keys.Where(k => k.EndsWith("(not a zip file)", StringComparison.Ordinal)))
            preview.FileErrors.Add($"{name.Replace(" (not a zip file)", "")}: not a zip file that can be read");
        if (!files.ContainsKey("orgs.csv")) preview.FileErrors.Add("orgs.csv: file not found");
        if (!files.ContainsKey("users.csv")) preview.FileErrors.Add("users.csv: file not found");
        if (preview.FileErrors.Count > 0)
            return preview;

        try
        {
            ReadOrgs(files["orgs.csv"], preview);
            var birthDates = files.TryGetValue("demographics.csv", out var demographics) ? ReadBirthDates(demographics, preview) : [];
            var teachers = ReadUsers(files["users.csv"], birthDates, preview);
            if (files.TryGetValue("classes.csv", out var classes))
                ReadClasses(classes, files.GetValueOrDefault("enrollments.csv"), teachers, preview);
        }
        catch (ImportFileException e)
        {
            preview.FileErrors.Add(e.Message);
            return preview;
        }

        // Compare with what the tenant holds, set-based: one query per table.
        var schools = await db.Schools.AsNoTracking().Where(s => s.ExternalId != null).ToDictionaryAsync(s => s.ExternalId!, s => s.Name, ct);
        var fileSchools = preview.Orgs.Where(o => !o.Deleted).Select(o => o.SourcedId).ToHashSet();
        preview.SchoolsToAdd = preview.Orgs.Count(o => !o.Deleted && !schools.ContainsKey(o.SourcedId));
        preview.SchoolsToUpdate = preview.Orgs.Count(o => !o.Deleted && schools.TryGetValue(o.SourcedId, out var name) && name != o.Name);

        var kept = new List<StudentRow>();
        foreach (var row in preview.Students)
        {
            if (!row.Deleted && !fileSchools.Contains(row.OrgSourcedId) && !schools.ContainsKey(row.OrgSourcedId))
                preview.Rejected.Add(new RejectedRow("users.csv", row.Line, $"orgSourcedIds '{row.OrgSourcedId}' is not a school in orgs.csv"));
            else
                kept.Add(row);
        }
        preview.Students.Clear();
        preview.Students.AddRange(kept);

        var existing = await db.Students.AsNoTracking().Where(s => s.ExternalId != null)
            .Select(s => new { s.ExternalId, s.Status, s.GivenName, s.FamilyName, s.Grade, s.LocalId, s.HomeLanguage, s.GuardianName, s.GuardianEmail, s.GuardianPhone, s.BirthDate, School = s.School.ExternalId })
            .ToDictionaryAsync(s => s.ExternalId!, ct);
        foreach (var row in preview.Students)
        {
            if (!existing.TryGetValue(row.SourcedId, out var current))
            {
                if (!row.Deleted) preview.StudentsToAdd++;
                continue;
            }
            if (row.Deleted)
            {
                if (current.Status == StudentStatus.Active) preview.StudentsToWithdraw++; else preview.StudentsUnchanged++;
                continue;
            }
            var same = current.Status == StudentStatus.Active && current.GivenName == row.GivenName && current.FamilyName == row.FamilyName
                       && current.Grade == row.Grade && current.LocalId == row.Identifier && current.School == row.OrgSourcedId
                       && (row.HomeLanguage is null || current.HomeLanguage == row.HomeLanguage)
                       && (row.GuardianName is null || (current.GuardianName == row.GuardianName && current.GuardianEmail == row.GuardianEmail && current.GuardianPhone == row.GuardianPhone))
                       && (row.BirthDate is null || current.BirthDate == row.BirthDate);
            if (same) preview.StudentsUnchanged++; else preview.StudentsToUpdate++;
        }

        var knownStudents = preview.Students.Where(r => !r.Deleted).Select(r => r.SourcedId).ToHashSet();
        knownStudents.UnionWith(existing.Where(e => e.Value.Status == StudentStatus.Active).Select(e => e.Key));
        var existingClasses = await db.Classes.AsNoTracking().ToDictionaryAsync(c => c.ExternalId, c => (c.Title, c.Grade, c.TeacherName), ct);
        var keptClasses = new List<ClassRow>();
        foreach (var c in preview.Classes)
        {
            if (!c.Deleted && !fileSchools.Contains(c.SchoolSourcedId) && !schools.ContainsKey(c.SchoolSourcedId))
            {
                preview.Rejected.Add(new RejectedRow("classes.csv", c.Line, $"schoolSourcedId '{c.SchoolSourcedId}' is not a school in orgs.csv"));
                continue;
            }
            c.StudentIds.RemoveAll(id => !knownStudents.Contains(id));
            keptClasses.Add(c);
            if (c.Deleted) continue;
            if (!existingClasses.TryGetValue(c.SourcedId, out var old)) preview.ClassesToAdd++;
            else if (old != (c.Title, c.Grade, c.TeacherName)) preview.ClassesToUpdate++;
        }
        preview.Classes.Clear();
        preview.Classes.AddRange(keptClasses);
        return preview;
    }

    /// <summary>Writes what the preview worked out (rejected rows left out), in one transaction.</summary>
    public async Task<RosterImportResult> ApplyAsync(RosterImportPreview preview, CancellationToken ct = default)
    {
        if (!preview.CanImport)
            throw new InvalidOperationException("This import has file errors and cannot be applied.");
        var ownTransaction = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        var autoDetect = db.ChangeTracker.AutoDetectChangesEnabled;
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            var schools = await db.Schools.Where(s => s.ExternalId != null).ToDictionaryAsync(s => s.ExternalId!, ct);
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
            var schoolIds = schools.ToDictionary(s => s.Key, s => s.Value.Id);
            db.ChangeTracker.Clear();

            int added = 0, updated = 0, withdrawn = 0;
            foreach (var batch in preview.Students.Chunk(BatchSize))
            {
                var ids = batch.Select(r => r.SourcedId).ToList();
                var existing = await db.Students.Where(s => ids.Contains(s.ExternalId!)).ToDictionaryAsync(s => s.ExternalId!, ct);
                foreach (var row in batch)
                {
                    existing.TryGetValue(row.SourcedId, out var student);
                    if (row.Deleted)
                    {
                        // Withdrawn, never deleted: the child's plans and history stay.
                        if (student is { Status: StudentStatus.Active }) { student.Status = StudentStatus.Withdrawn; db.Entry(student).State = EntityState.Modified; withdrawn++; }
                        continue;
                    }
                    var isNew = student is null;
                    student ??= new Student { GivenName = row.GivenName, FamilyName = row.FamilyName, ExternalId = row.SourcedId };
                    var before = isNew ? null : Snapshot(student);
                    student.SchoolId = schoolIds[row.OrgSourcedId];
                    student.GivenName = row.GivenName;
                    student.FamilyName = row.FamilyName;
                    student.LocalId = row.Identifier;
                    student.Grade = row.Grade;
                    student.Status = StudentStatus.Active;
                    if (row.HomeLanguage is not null) student.HomeLanguage = row.HomeLanguage;
                    if (row.BirthDate is not null) student.BirthDate = row.BirthDate;
                    if (row.GuardianName is not null)
                    {
                        student.GuardianName = row.GuardianName;
                        student.GuardianEmail = row.GuardianEmail;
                        student.GuardianPhone = row.GuardianPhone;
                    }
                    if (isNew) { db.Students.Add(student); existing[row.SourcedId] = student; added++; }
                    else if (before != Snapshot(student)) { db.Entry(student).State = EntityState.Modified; updated++; }
                }
                await db.SaveChangesAsync(ct);
                db.ChangeTracker.Clear();
            }
            await ApplyClassesAsync(preview, schoolIds, ct);
            if (ownTransaction is not null)
                await ownTransaction.CommitAsync(ct);
            return new RosterImportResult(schoolsAdded, schoolsUpdated, added, updated, withdrawn);
        }
        finally
        {
            db.ChangeTracker.AutoDetectChangesEnabled = autoDetect;
            if (ownTransaction is not null) await ownTransaction.DisposeAsync();
        }
    }

    /// <summary>Classes in the file are upserted and their enrollments replaced by the file's; a tobedeleted class goes.</summary>
    private async Task ApplyClassesAsync(RosterImportPreview preview, Dictionary<string, int> schoolIds, CancellationToken ct)
    {
        if (preview.Classes.Count == 0)
            return;
        var classes = await db.Classes.ToDictionaryAsync(c => c.ExternalId, ct);
        var studentIds = await db.Students.Where(s => s.ExternalId != null).Select(s => new { s.Id, s.ExternalId }).ToDictionaryAsync(s => s.ExternalId!, s => s.Id, ct);
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
        foreach (var row in preview.Classes.Where(c => !c.Deleted))
            foreach (var student in row.StudentIds.Distinct().Where(studentIds.ContainsKey))
                db.ClassEnrollments.Add(new ClassEnrollment { ClassId = classes[row.SourcedId].Id, StudentId = studentIds[student] });
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
    }

    /// <summary>For the demo seed and commands: a folder of files that must import cleanly, or fail naming file and line.</summary>
    public async Task<RosterImportResult> ImportDirectoryAsync(string directory, CancellationToken ct = default)
    {
        var preview = await PreviewAsync(CsvPackage.ReadDirectory(directory), ct);
        if (preview.FileErrors.Count > 0)
            throw new ImportFileException(preview.FileErrors[0].Split(':')[0].Split(' ')[0], 0, preview.FileErrors[0]);
        if (preview.Rejected.FirstOrDefault() is { } rejected)
            throw new ImportFileException(rejected.File, rejected.Line, rejected.Reason);
        return await ApplyAsync(preview, ct);
    }

    private static string Snapshot(Student s) =>
        string.Join('\u001f', s.SchoolId, s.GivenName, s.FamilyName, s.LocalId, s.Grade, s.Status, s.HomeLanguage, s.BirthDate, s.GuardianName, s.GuardianEmail, s.GuardianPhone);

    private static void ReadOrgs(string text, RosterImportPreview preview)
    {
        var file = CsvFile.Parse("orgs.csv", text);
        file.RequireHeaders("sourcedId", "status", "name", "type");
        var seen = new HashSet<string>();
        foreach (var r in file.Rows)
        {
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

    /// <summary>Reads students (and their guardians); returns the teachers' names by sourcedId.</summary>
    private static Dictionary<string, string> ReadUsers(string text, Dictionary<string, DateOnly> birthDates, RosterImportPreview preview)
    {
        var file = CsvFile.Parse("users.csv", text);
        file.RequireHeaders("sourcedId", "status", "role", "orgSourcedIds", "givenName", "familyName");
        var rows = file.Rows.ToList();
        var guardians = new Dictionary<string, GuardianRow>(StringComparer.Ordinal);
        foreach (var r in rows.Where(r => r["role"].ToLowerInvariant() is "guardian" or "parent" or "relative"))
            guardians[r["sourcedId"]] = new GuardianRow(Truncate($"{r["givenName"]} {r["familyName"]}".Trim(), 200), Limit(r.Optional("email"), 256), Limit(r.Optional("phone") ?? r.Optional("sms"), 40));

        var seen = new HashSet<string>();
        foreach (var r in rows.Where(r => r["role"].Equals("student", StringComparison.OrdinalIgnoreCase)))
        {
            var id = r["sourcedId"];
            string? reason = id.Length == 0 ? "field 'sourcedId' is empty"
                : id.Length > 128 ? "field 'sourcedId' is longer than 128 characters"
                : !seen.Add(id) ? $"sourcedId '{id}' appears twice"
                : null;
            var deleted = IsDeleted(r);
            if (reason is null && !deleted)
            {
                reason = FirstOf(r["orgSourcedIds"]).Length == 0 ? "field 'orgSourcedIds' is empty"
                    : r["givenName"].Length == 0 ? "field 'givenName' is empty"
                    : r["familyName"].Length == 0 ? "field 'familyName' is empty"
                    : null;
            }
            if (reason is not null) { preview.Rejected.Add(new("users.csv", r.Line, reason)); continue; }
            var agent = FirstOf(r["agentSourcedIds"]);
            guardians.TryGetValue(agent, out var guardian);
            preview.Students.Add(new StudentRow(r.Line, id, deleted, FirstOf(r["orgSourcedIds"]), Truncate(r["givenName"], 100), Truncate(r["familyName"], 100),
                Limit(r.Optional("identifier"), 64), Limit(FirstOf(r["grades"]) is { Length: > 0 } g ? g : null, 8), Limit(r.Optional("metadata.homeLanguage"), 35),
                guardian?.Name, guardian?.Email, guardian?.Phone, birthDates.TryGetValue(id, out var birth) ? birth : null));
        }
        return rows.Where(r => r["role"].Equals("teacher", StringComparison.OrdinalIgnoreCase))
            .GroupBy(r => r["sourcedId"])
            .ToDictionary(g => g.Key, g => Truncate($"{g.First()["givenName"]} {g.First()["familyName"]}".Trim(), 200));
    }

    private static void ReadClasses(string classesText, string? enrollmentsText, Dictionary<string, string> teachers, RosterImportPreview preview)
    {
        var file = CsvFile.Parse("classes.csv", classesText);
        file.RequireHeaders("sourcedId", "status", "title", "schoolSourcedId");
        var byId = new Dictionary<string, ClassRow>(StringComparer.Ordinal);
        foreach (var r in file.Rows)
        {
            var id = r["sourcedId"];
            if (id.Length == 0 || id.Length > 128) { preview.Rejected.Add(new("classes.csv", r.Line, "field 'sourcedId' is empty or longer than 128 characters")); continue; }
            if (byId.ContainsKey(id)) { preview.Rejected.Add(new("classes.csv", r.Line, $"sourcedId '{id}' appears twice")); continue; }
            if (r["title"].Length == 0 && !IsDeleted(r)) { preview.Rejected.Add(new("classes.csv", r.Line, "field 'title' is empty")); continue; }
            var row = new ClassRow(r.Line, id, Truncate(r["title"], 200), Limit(FirstOf(r["grades"]) is { Length: > 0 } g ? g : null, 8), r["schoolSourcedId"], IsDeleted(r));
            byId[id] = row;
            preview.Classes.Add(row);
        }
        if (enrollmentsText is null) return;
        var enrollments = CsvFile.Parse("enrollments.csv", enrollmentsText);
        enrollments.RequireHeaders("sourcedId", "status", "classSourcedId", "userSourcedId", "role");
        foreach (var r in enrollments.Rows)
        {
            if (IsDeleted(r)) continue;
            if (!byId.TryGetValue(r["classSourcedId"], out var c))
            {
                preview.Rejected.Add(new("enrollments.csv", r.Line, $"classSourcedId '{r["classSourcedId"]}' is not a class in classes.csv"));
                continue;
            }
            switch (r["role"].ToLowerInvariant())
            {
                case "student": c.StudentIds.Add(r["userSourcedId"]); break;
                case "teacher" when c.TeacherName is null || r["primary"].Equals("true", StringComparison.OrdinalIgnoreCase):
                    c.TeacherName = teachers.GetValueOrDefault(r["userSourcedId"]);
                    break;
            }
        }
    }

    private static Dictionary<string, DateOnly> ReadBirthDates(string text, RosterImportPreview preview)
    {
        var file = CsvFile.Parse("demographics.csv", text);
        file.RequireHeaders("sourcedId", "birthDate");
        var result = new Dictionary<string, DateOnly>(StringComparer.Ordinal);
        foreach (var r in file.Rows)
        {
            if (r.Optional("birthDate") is not { } value) continue;
            if (!DateOnly.TryParseExact(value, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var date))
                preview.Rejected.Add(new("demographics.csv", r.Line, $"field 'birthDate' is not a date (yyyy-MM-dd): '{value}'"));
            else
                result[r["sourcedId"]] = date;
        }
        return result;
    }

    private static bool IsDeleted(CsvRow r) => r["status"].Equals("tobedeleted", StringComparison.OrdinalIgnoreCase);
    private static string FirstOf(string list) => list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];
    private static string? Limit(string? s, int max) => s is null ? null : Truncate(s, max);
}
