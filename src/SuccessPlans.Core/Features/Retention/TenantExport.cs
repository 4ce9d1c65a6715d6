using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SuccessPlans.Csv;
using SuccessPlans.Data;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Students;
using SuccessPlans.Tenancy;

namespace SuccessPlans.Features.Retention;

/// <summary>A tenant's data handed back: the zip's bytes and its file name.</summary>
public sealed record TenantExported(string FileName, byte[] Zip);

/// <summary>
/// Everything a partnership takes with it at the end of its contract, in open formats (docs/retention.md): the roster
/// as OneRoster 1.1 CSV (which this app's importer reads back), the directory as HSDS CSV (HsdsExporter), and the
/// plans, referrals and services delivered as JSON. Runs in the tenant's own scope, so it sees that tenant only.
/// </summary>
public sealed class TenantExport(IServiceScopeFactory scopes, TimeProvider time)
{
    public async Task<TenantExported> ExportAsync(int tenantId, CancellationToken ct = default)
    {
        await using var scope = scopes.CreateTenantScope(tenantId);
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var tenant = await db.Tenants.AsNoTracking().SingleOrDefaultAsync(ct) ?? throw new NotFoundException("No such tenant.");
        var files = new Dictionary<string, string>();
        foreach (var (name, text) in await OneRosterAsync(db, ct))
            files[$"oneroster/{name}"] = text;
        foreach (var (name, text) in await scope.ServiceProvider.GetRequiredService<HsdsExporter>().ExportAsync(ct))
            files[$"hsds/{name}"] = text;
        files["plans-and-referrals.json"] = await PlansAndReferralsAsync(db, ct);

        return new TenantExported($"{tenant.Slug}-{time.GetUtcNow():yyyy-MM-dd}.zip", CsvPackage.Zip(files, CompressionLevel.Optimal));
    }

    private const string Iso = "yyyy-MM-dd";

    /// <summary>Schools, students (withdrawn as tobedeleted) with their guardians and birth dates, classes and enrollments. Erased children are not there.</summary>
    public static async Task<Dictionary<string, string>> OneRosterAsync(AppDbContext db, CancellationToken ct)
    {
        var schools = await db.Schools.AsNoTracking().OrderBy(s => s.Id).Select(s => new { s.Id, s.Name, s.ExternalId }).ToListAsync(ct);
        var students = await db.Students.AsNoTracking().Where(s => s.Status != StudentStatus.Erased).OrderBy(s => s.Id).ToListAsync(ct);
        var classes = await db.Classes.AsNoTracking().OrderBy(c => c.Id).Select(c => new { c.Id, c.ExternalId, c.Title, c.Grade, c.SchoolId }).ToListAsync(ct);
        var enrollments = await db.ClassEnrollments.AsNoTracking().Where(e => e.Student.Status != StudentStatus.Erased)
            .Select(e => new { e.ClassId, e.StudentId }).ToListAsync(ct);
        var schoolIds = schools.ToDictionary(s => s.Id, s => s.ExternalId ?? $"sp-school-{s.Id}");
        var studentIds = students.ToDictionary(s => s.Id, s => s.ExternalId ?? $"sp-student-{s.Id}");
        var classIds = classes.ToDictionary(c => c.Id, c => c.ExternalId);
        var classSchools = classes.ToDictionary(c => c.Id, c => c.SchoolId);

        var files = new Dictionary<string, string>
        {
            ["manifest.csv"] = Write(w =>
            {
                w.WriteRow("propertyName", "value");
                w.WriteRow("manifest.version", "1.0");
                w.WriteRow("oneroster.version", "1.1");
                foreach (var file in new[] { "orgs", "users", "classes", "enrollments", "demographics" })
                    w.WriteRow($"file.{file}", "bulk");
            }),
            ["orgs.csv"] = Write(w =>
            {
                w.WriteRow("sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId");
                foreach (var s in schools) w.WriteRow(schoolIds[s.Id], "active", "", s.Name, "school", "", "");
            }),
            ["users.csv"] = Write(w =>
            {
                w.WriteRow("sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role", "username", "userIds", "givenName", "familyName",
                    "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds", "grades", "password", "metadata.homeLanguage");
                foreach (var s in students)
                {
                    var id = studentIds[s.Id];
                    var guardian = s.GuardianName is null ? "" : $"{id}-guardian";
                    var status = s.Status == StudentStatus.Active ? "active" : "tobedeleted";
                    w.WriteRow(id, status, "", "true", schoolIds[s.SchoolId], "student", "", "", s.GivenName, s.FamilyName, "", s.LocalId, "", "", "", guardian, s.Grade, "", s.HomeLanguage);
                    if (s.GuardianName is not null)
                        w.WriteRow(guardian, status, "", "true", schoolIds[s.SchoolId], "guardian", "", "", s.GuardianName, "", "", "", s.GuardianEmail, "", s.GuardianPhone, id, "", "", "");
                }
            }),
            ["demographics.csv"] = Write(w =>
            {
                w.WriteRow("sourcedId", "status", "dateLastModified", "birthDate");
                foreach (var s in students.Where(s => s.BirthDate is not null))
                    w.WriteRow(studentIds[s.Id], "active", "", s.BirthDate!.Value.ToString(Iso, CultureInfo.InvariantCulture));
            }),
            ["classes.csv"] = Write(w =>
            {
                w.WriteRow("sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId", "classCode", "classType", "location", "schoolSourcedId", "termSourcedIds", "subjects", "subjectCodes", "periods");
                foreach (var c in classes) w.WriteRow(c.ExternalId, "active", "", c.Title, c.Grade, "", "", "scheduled", "", schoolIds[c.SchoolId], "", "", "", "");
            }),
            ["enrollments.csv"] = Write(w =>
            {
                w.WriteRow("sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId", "userSourcedId", "role", "primary", "beginDate", "endDate");
                foreach (var e in enrollments.Where(e => studentIds.ContainsKey(e.StudentId)).OrderBy(e => e.ClassId).ThenBy(e => e.StudentId))
                    w.WriteRow($"{classIds[e.ClassId]}-{studentIds[e.StudentId]}", "active", "", classIds[e.ClassId], schoolIds[classSchools[e.ClassId]], studentIds[e.StudentId], "student", "false", "", "");
            }),
        };
        return files;
    }

    /// <summary>Every plan with its items, every referral with its outcome, messages and services delivered; students by their roster id.</summary>
    private static async Task<string> PlansAndReferralsAsync(AppDbContext db, CancellationToken ct)
    {
        var plans = await db.Plans.AsNoTracking().OrderBy(p => p.Id).Select(p => new
        {
            p.Id, p.StudentId, Student = p.Student.ExternalId, p.SchoolYear, p.Status, p.Tier, p.NextReviewDue, p.CreatedAt, p.ClosedAt,
            Items = p.Items.OrderBy(i => i.Id).Select(i => new
            {
                i.Id, i.Domain, i.Kind, i.Description, i.Goal, i.Priority, i.Status,
                i.IdentifiedOn, i.ResolvedOn,
            }).ToList(),
        }).ToListAsync(ct);
        var referrals = await db.Referrals.AsNoTracking().OrderBy(r => r.Id).Select(r => new
        {
            r.Id, r.StudentId, Student = r.Student.ExternalId, r.NeedId, Service = r.Service.Name, Organization = r.Organization.Name, r.Status,
            r.Outcome, r.OutcomeNote, r.SentByName, r.CreatedAt, r.SentAt, r.AnsweredAt, r.FirstServiceOn, r.ClosedAt,
            Shared = new { r.SharedChildName, r.SharedGrade, r.SharedSchool, r.SharedGuardianName, r.SharedGuardianContact, r.SharedNeed },
            Deliveries = r.Deliveries.OrderBy(d => d.DeliveredOn).Select(d => new { d.DeliveredOn, d.Amount, d.Unit, d.DeliveredBy, d.Note }).ToList(),
            Messages = r.Messages.OrderBy(m => m.At).Select(m => new { m.Side, m.AuthorName, m.Text, m.At }).ToList(),
        }).ToListAsync(ct);
        return JsonSerializer.Serialize(new { plans, referrals }, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true, Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } });
    }

    private static string Write(Action<CsvWriter> write)
    {
        var text = new StringWriter(CultureInfo.InvariantCulture);
        write(new CsvWriter(text));
        return text.ToString();
    }
}
