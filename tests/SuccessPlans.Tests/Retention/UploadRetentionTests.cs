using System.Net;
using Microsoft.EntityFrameworkCore;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Jobs;
using SuccessPlans.Features.Roster;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Retention;

/// <summary>Uploaded packages go once applied, or after the tenant's retention period when abandoned; the period is a setting.</summary>
public class UploadRetentionTests : IAsyncLifetime
{
    private readonly AppFactory _app = new(new DateTimeOffset(2026, 11, 20, 15, 0, 0, TimeSpan.Zero));
    private int _tenant, _other;

    public async Task InitializeAsync()
    {
        _tenant = (await _app.CreateTenantAsync("keep")).Id;
        _other = (await _app.CreateTenantAsync("other")).Id;
        await _app.CreateUserAsync(_tenant, "admin@keep.test", UserRole.Admin);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private Task<int> UploadAsync(int tenant, string name, int daysAgo, bool applied = false) => _app.InTenant(tenant, async (_, db) =>
    {
        var at = _app.Time.GetUtcNow().UtcDateTime.AddDays(-daysAgo);
        var upload = new RosterUpload
        {
            UploadedAt = at, UploadedByName = "Admin", FileNames = name, AppliedAt = applied ? at.AddMinutes(5) : null, Result = applied ? "Imported." : null,
            Package = RosterUpload.Pack(new Dictionary<string, string> { ["users.csv"] = "sourcedId,givenName\nS1,Wilhelmina" }),
        };
        db.RosterUploads.Add(upload);
        await db.SaveChangesAsync();
        return upload.Id;
    });

    private Task<Dictionary<string, (bool HasPackage, string? Result)>> UploadsAsync(int tenant) => _app.InTenant(tenant, async (_, db) =>
        (await db.RosterUploads.AsNoTracking().ToListAsync()).ToDictionary(u => u.FileNames, u => (u.Package is not null, u.Result)));

    private Task RunAsync(int tenant) => _app.InTenant(null, (sp, _) =>
        sp.GetRequiredService<TenantJobRunner>().RunAsync(TenantJobCatalog.UploadRetention.Name, tenant, "test", CancellationToken.None));

    [Fact]
    public async Task Applied_uploads_and_uploads_abandoned_past_seven_days_lose_their_package_and_nothing_else_does()
    {
        await UploadAsync(_tenant, "applied.zip", 1, applied: true); // a package left behind by a failure after the import
        await UploadAsync(_tenant, "fresh.zip", 6);
        await UploadAsync(_tenant, "abandoned.zip", 8);
        await UploadAsync(_other, "other-abandoned.zip", 8);
        await _app.InTenant(_tenant, async (_, db) =>
        {
            db.DirectoryUploads.Add(new DirectoryUpload { UploadedAt = _app.Time.GetUtcNow().UtcDateTime.AddDays(-9), UploadedByName = "Admin", FileNames = "hsds.zip", Package = [1, 2, 3] });
            await db.SaveChangesAsync();
        });

        await RunAsync(_tenant);

        var kept = await UploadsAsync(_tenant);
        Assert.False(kept["applied.zip"].HasPackage);
        Assert.Equal("Imported.", kept["applied.zip"].Result);
        Assert.True(kept["fresh.zip"].HasPackage);
        Assert.False(kept["abandoned.zip"].HasPackage);
        Assert.Contains("not imported within 7 day(s)", kept["abandoned.zip"].Result);
        Assert.True((await UploadsAsync(_other))["other-abandoned.zip"].HasPackage); // another tenant's: untouched
        Assert.Null(await _app.InTenant(_tenant, (_, db) => db.DirectoryUploads.Select(u => u.Package).SingleAsync()));
        var run = await _app.InTenant(_tenant, (_, db) => db.JobRuns.SingleAsync(r => r.JobName == TenantJobCatalog.UploadRetention.Name));
        Assert.Equal(JobRunStatus.Succeeded, run.Status);
        Assert.Contains("Purged 2 roster and 1 directory upload(s)", run.Summary);

        // A night and a half later the fresh upload is past seven days too.
        _app.Time.Advance(TimeSpan.FromDays(1.5));
        await RunAsync(_tenant);
        Assert.False((await UploadsAsync(_tenant))["fresh.zip"].HasPackage);
    }

    [Fact]
    public async Task The_period_is_a_tenant_setting_from_one_to_sixty_days()
    {
        var admin = await _app.SignedInAsync("admin@keep.test");
        var page = await admin.GetDocumentAsync("/Settings");
        Assert.Equal("7", page.QuerySelector("#Input_AbandonedUploadRetentionDays")!.GetAttribute("value"));

        foreach (var bad in new[] { "0", "61" })
        {
            var refused = await admin.SubmitFormAsync("/Settings", new() { ["Input.AbandonedUploadRetentionDays"] = bad });
            Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
            var errors = (await Forms.ParseAsync(refused)).QuerySelector("[data-valmsg-for='Input.AbandonedUploadRetentionDays']")!.TextContent;
            Assert.Contains("between 1 and 60 days", errors);
        }
        Assert.Equal(7, await _app.InTenant(_tenant, (_, db) => db.Tenants.Select(t => t.AbandonedUploadRetentionDays).SingleAsync()));

        var saved = await admin.SubmitFormAsync("/Settings", new() { ["Input.AbandonedUploadRetentionDays"] = "2" });
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        Assert.Equal(2, await _app.InTenant(_tenant, (_, db) => db.Tenants.Select(t => t.AbandonedUploadRetentionDays).SingleAsync()));

        await UploadAsync(_tenant, "three-days.zip", 3);
        await RunAsync(_tenant);
        Assert.False((await UploadsAsync(_tenant))["three-days.zip"].HasPackage);
    }
}
