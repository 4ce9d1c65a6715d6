using System.IO.Compression;
using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using SuccessPlans.Features.Schools;
using SuccessPlans.Features.Students;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Indicators;

/// <summary>
/// The indicator upload is streamed into a package and the import reads it back as streams: a zip bomb and a file over
/// the size bound are refused with a clear message and nothing kept; a zip within the bounds is checked from its entries.
/// The bound is set low here (8 MB) so that a file over it is small enough for a test.
/// </summary>
public class IndicatorUploadTests : IAsyncLifetime
{
    private readonly AppFactory _app = new(new DateTimeOffset(2026, 11, 16, 17, 0, 0, TimeSpan.Zero));
    private int _tenant;

    public IndicatorUploadTests() => _app.Settings["Indicators:MaxUnpackedMegabytes"] = "8";

    public async Task InitializeAsync()
    {
        _tenant = (await _app.CreateTenantAsync("indup")).Id;
        await _app.CreateUserAsync(_tenant, "admin@indup.test", UserRole.Admin);
        await _app.InTenant(_tenant, async (_, db) =>
        {
            var school = new School { Name = "North", ExternalId = "sch-n" };
            db.Students.Add(new Student { GivenName = "u1", FamilyName = "Test", ExternalId = "u1", School = school });
            await db.SaveChangesAsync();
        });
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static byte[] Zip(params (string Name, byte[] Content)[] files)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, content) in files)
            {
                using var entry = zip.CreateEntry(name, CompressionLevel.SmallestSize).Open();
                entry.Write(content);
            }
        return buffer.ToArray();
    }

    /// <summary><paramref name="rows"/> attendance rows of u1, one a day from 1 September 2026, absent every fifth day.</summary>
    private static byte[] Attendance(int rows)
    {
        var text = new StringBuilder("sourceId,studentUniqueId,schoolId,eventDate,attendanceEventCategoryDescriptor\n");
        var first = new DateOnly(2026, 9, 1);
        for (var i = 0; i < rows; i++)
            text.Append(FormattableString.Invariant($"event-{i:D8},u1,sch-n,{first.AddDays(i % 60):yyyy-MM-dd},{(i % 5 == 0 ? "Excused Absence" : "In Attendance")}\n"));
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private async Task<HttpResponseMessage> UploadAsync(HttpClient client, params (string Name, byte[] Content)[] files)
    {
        var page = await client.GetDocumentAsync("/Roster/Indicators");
        var token = page.QuerySelector("form[enctype] input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var form = new MultipartFormDataContent { { new StringContent(token), "__RequestVerificationToken" } };
        foreach (var (name, content) in files)
            form.Add(new ByteArrayContent(content), "files", name);
        return await client.PostAsync("/Roster/Indicators?handler=Upload", form);
    }

    private async Task<string> RefusedAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await Forms.ParseAsync(response)).QuerySelector("[role=alert]")!.TextContent;
    }

    private Task<int> KeptAsync() => _app.InTenant(_tenant, async (_, db) => await db.RosterUploads.CountAsync() + await db.AttendanceEvents.CountAsync());

    [Fact]
    public async Task A_zip_bomb_and_files_over_the_size_bound_are_refused_with_a_clear_message_and_nothing_kept()
    {
        var admin = await _app.SignedInAsync("admin@indup.test");
        // 32 MB of zeros pack to some 32 KB: refused by its ratio after the first few megabytes, never unpacked whole.
        var bomb = Zip(("attendance.csv", new byte[32 * 1024 * 1024]));
        Assert.Contains("attendance.zip: attendance.csv unpacks to more than 100 times its packed size", await RefusedAsync(await UploadAsync(admin, ("attendance.zip", bomb))));

        // Real CSV over the bound (8 MB here): a loose file, and the same file zipped.
        var big = Attendance(200_000);
        Assert.True(big.Length > 8 * 1024 * 1024);
        Assert.Contains("attendance.csv: takes the upload over 8 MB of CSV; split it", await RefusedAsync(await UploadAsync(admin, ("attendance.csv", big))));
        Assert.Contains("year.zip: unpacks to more than 8 MB", await RefusedAsync(await UploadAsync(admin, ("year.zip", Zip(("attendance.csv", big))))));
        Assert.Equal(0, await KeptAsync());
    }

    [Fact]
    public async Task A_zip_within_the_bounds_is_checked_from_its_entries_and_imported()
    {
        var admin = await _app.SignedInAsync("admin@indup.test");
        var calendar = "schoolId,date,calendarEventDescriptor\n" + string.Concat(Enumerable.Range(0, 60).Select(i => FormattableString.Invariant($"sch-n,{new DateOnly(2026, 9, 1).AddDays(i):yyyy-MM-dd},Instructional day\n")));
        var uploaded = await UploadAsync(admin, ("year.zip", Zip(("export/attendance.csv", Attendance(600)), ("export/calendarDates.csv", Encoding.UTF8.GetBytes(calendar)))));
        Assert.Equal(HttpStatusCode.Redirect, uploaded.StatusCode);
        var reportUrl = uploaded.Location();
        // 60 school days; 600 rows, every fifth an absence: 120 events to add. Nothing is written before the confirmation.
        var report = (await admin.GetDocumentAsync(reportUrl)).QuerySelectorAll("table.report tbody tr");
        Assert.Equal(("60", "120"), (report[0].QuerySelectorAll("td")[0].TextContent, report[1].QuerySelectorAll("td")[0].TextContent));
        Assert.Equal(0, await _app.InTenant(_tenant, (_, db) => db.AttendanceEvents.CountAsync()));
        Assert.Equal(HttpStatusCode.Redirect, (await admin.SubmitFormAsync(reportUrl, [], formSelector: "form[action*='handler=Apply']")).StatusCode);
        Assert.Equal(120, await _app.InTenant(_tenant, (_, db) => db.AttendanceEvents.CountAsync()));
    }
}
