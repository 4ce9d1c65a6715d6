using SuccessPlans.Csv;
using SuccessPlans.Data;
using SuccessPlans.Features.Schools;
using SuccessPlans.Features.Students;

namespace SuccessPlans.Features.Roster;

public sealed record RosterImportResult(int SchoolsAdded, int SchoolsUpdated, int StudentsAdded, int StudentsUpdated, int StudentsWithdrawn);

/// <summary>
/// Loads a OneRoster 1.1 CSV set (orgs.csv, users.csv, optional demographics.csv) into the current tenant:
/// schools from orgs of type school, students from users with role student, guardian contact from the
/// student's agent, birth dates from demographics. Idempotent by sourcedId; `tobedeleted` withdraws a student.
/// Every file is read and checked before anything is written, so a bad file writes nothing.
/// </summary>
public sealed class OneRosterImporter(AppDbContext db)
{
    private sealed record OrgRow(string SourcedId, string Name, bool Deleted);
    private sealed record StudentRow(int Line, string SourcedId, bool Deleted, string OrgSourcedId, string GivenName, string FamilyName,
        string? Identifier, string? Grade, string? HomeLanguage, string? AgentSourcedId);
    private sealed record GuardianRow(string Name, string? Email, string? Phone);

    public async Task<RosterImportResult> ImportDirectoryAsync(string directory, CancellationToken ct = default)
    {
        var orgs = ReadOrgs(Path.Combine(directory, "orgs.csv"));
        var (students, guardians) = ReadUsers(Path.Combine(directory, "users.csv"));
        var demographicsPath = Path.Combine(directory, "demographics.csv");
        var birthDates = File.Exists(demographicsPath) ? ReadBirthDates(demographicsPath) : [];

        var schools = await db.Schools.Where(s => s.ExternalId != null).ToDictionaryAsync(s => s.ExternalId!, ct);
        int schoolsAdded = 0, schoolsUpdated = 0;
        foreach (var org in orgs.Where(o => !o.Deleted))
        {
            if (schools.TryGetValue(org.SourcedId, out var school))
            {
                if (school.Name != org.Name) { school.Name = org.Name; schoolsUpdated++; }
                continue;
            }
            school = new School { Name = org.Name, ExternalId = org.SourcedId };
            db.Schools.Add(school);
            schools[org.SourcedId] = school;
            schoolsAdded++;
        }

        foreach (var row in students)
        {
            if (!row.Deleted && !schools.ContainsKey(row.OrgSourcedId))
                throw new ImportFileException("users.csv", row.Line, $"orgSourcedIds '{row.OrgSourcedId}' is not a school in orgs.csv");
        }

        var existing = await db.Students.Where(s => s.ExternalId != null).ToDictionaryAsync(s => s.ExternalId!, ct);
        int added = 0, updated = 0, withdrawn = 0;
        foreach (var row in students)
        {
            existing.TryGetValue(row.SourcedId, out var student);
            if (row.Deleted)
            {
                // Withdrawn, never deleted: the child's plans and history stay.
                if (student is { Status: StudentStatus.Active }) { student.Status = StudentStatus.Withdrawn; withdrawn++; }
                continue;
            }
            var isNew = student is null;
            student ??= new Student { GivenName = row.GivenName, FamilyName = row.FamilyName, ExternalId = row.SourcedId };
            student.School = schools[row.OrgSourcedId];
            student.GivenName = row.GivenName;
            student.FamilyName = row.FamilyName;
            student.LocalId = row.Identifier;
            student.Grade = row.Grade;
            student.HomeLanguage = row.HomeLanguage ?? student.HomeLanguage;
            student.Status = StudentStatus.Active;
            if (birthDates.TryGetValue(row.SourcedId, out var birth)) student.BirthDate = birth;
            if (row.AgentSourcedId is not null && guardians.TryGetValue(row.AgentSourcedId, out var g))
            {
                student.GuardianName = g.Name;
                student.GuardianEmail = g.Email;
                student.GuardianPhone = g.Phone;
            }
            if (isNew) { db.Students.Add(student); existing[row.SourcedId] = student; added++; }
            else if (db.Entry(student).State == EntityState.Modified) updated++;
        }

        await db.SaveChangesAsync(ct);
        return new RosterImportResult(schoolsAdded, schoolsUpdated, added, updated, withdrawn);
    }

    private static List<OrgRow> ReadOrgs(string path)
    {
        var file = Open(path);
        file.RequireHeaders("sourcedId", "status", "name", "type");
        return file.Rows
            .Where(r => r["type"].Equals("school", StringComparison.OrdinalIgnoreCase))
            .Select(r => new OrgRow(r.Required("sourcedId"), r.Required("name"), IsDeleted(r)))
            .ToList();
    }

    private static (List<StudentRow>, Dictionary<string, GuardianRow>) ReadUsers(string path)
    {
        var file = Open(path);
        file.RequireHeaders("sourcedId", "status", "role", "orgSourcedIds", "givenName", "familyName");
        var students = new List<StudentRow>();
        var guardians = new Dictionary<string, GuardianRow>(StringComparer.Ordinal);
        foreach (var r in file.Rows)
        {
            var role = r["role"].ToLowerInvariant();
            if (role == "student")
            {
                students.Add(new StudentRow(r.Line, r.Required("sourcedId"), IsDeleted(r), FirstOf(r["orgSourcedIds"]),
                    r.Required("givenName"), r.Required("familyName"), r.Optional("identifier"), FirstOf(r["grades"]) is { Length: > 0 } g ? g : null,
                    r.Optional("metadata.homeLanguage"), FirstOf(r["agentSourcedIds"]) is { Length: > 0 } a ? a : null));
            }
            else if (role is "guardian" or "parent" or "relative")
            {
                guardians[r.Required("sourcedId")] = new GuardianRow($"{r["givenName"]} {r["familyName"]}".Trim(), r.Optional("email"), r.Optional("phone") ?? r.Optional("sms"));
            }
        }
        return (students, guardians);
    }

    private static Dictionary<string, DateOnly> ReadBirthDates(string path)
    {
        var file = Open(path);
        file.RequireHeaders("sourcedId", "birthDate");
        var result = new Dictionary<string, DateOnly>(StringComparer.Ordinal);
        foreach (var r in file.Rows)
        {
            if (r.Optional("birthDate") is not { } text) continue;
            if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", out var date))
                throw r.Error($"field 'birthDate' is not a date (yyyy-MM-dd): '{text}'");
            result[r.Required("sourcedId")] = date;
        }
        return result;
    }

    private static CsvFile Open(string path) =>
        File.Exists(path) ? CsvFile.Read(path) : throw new ImportFileException(Path.GetFileName(path), 0, "file not found");

    private static bool IsDeleted(CsvRow r) => r["status"].Equals("tobedeleted", StringComparison.OrdinalIgnoreCase);

    private static string FirstOf(string list) => list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
}
