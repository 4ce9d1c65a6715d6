using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Roster;
using SuccessPlans.Features.Seeding;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Production;

/// <summary>
/// A server whose culture is not English (de-DE: comma decimals; ar-SA: the Um al-Qura calendar) writes and reads the
/// same machine formats: the cabinet's CSV and JSON, the dates of forms (yyyy-MM-dd), OneRoster and HSDS files.
/// </summary>
public sealed class ServerCultureTests : IAsyncLifetime
{
    private readonly AppFactory _app = new(new DateTimeOffset(2026, 11, 20, 15, 0, 0, TimeSpan.Zero));
    private readonly CultureInfo _culture = CultureInfo.CurrentCulture, _uiCulture = CultureInfo.CurrentUICulture;
    private int _tenant, _referral;

    public async Task InitializeAsync()
    {
        _tenant = (await _app.CreateTenantAsync("kultur")).Id;
        var school = (await _app.CreateSchoolAsync(_tenant, "Kultur School")).Id;
        var (org, service) = await _app.InTenant(_tenant, async (_, db) =>
        {
            var o = new ProviderOrganization { Name = "Helpers" };
            var s = new Service { Name = "Tutoring", Organization = o, Domain = Domain.Academic };
            db.Services.Add(s);
            await db.SaveChangesAsync();
            return (o.Id, s.Id);
        });
        await _app.ServeAsync(_tenant, school, Domain.Academic, service, 12, [new DateOnly(2026, 9, 15), new DateOnly(2026, 10, 6)], "K");
        _referral = await _app.InTenant(_tenant, (_, db) => db.Referrals.Select(r => r.Id).FirstAsync());
        await _app.CreateUserAsync(_tenant, "cabinet@kultur.test", UserRole.Cabinet);
        await _app.CreateUserAsync(_tenant, "provider@kultur.test", UserRole.Provider, organizationId: org);
    }

    public async Task DisposeAsync()
    {
        (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (_culture, _uiCulture);
        // Back to the suite's server culture (TestCulture), not the machine's.
        TestCulture.Apply();
        await _app.DisposeAsync();
    }

    /// <summary>The server's culture: this test's, and every thread's that sets none (TestServer does not flow the test's to requests).</summary>
    private static void RunAs(string culture)
    {
        var c = CultureInfo.GetCultureInfo(culture);
        (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (c, c);
        (CultureInfo.DefaultThreadCurrentCulture, CultureInfo.DefaultThreadCurrentUICulture) = (c, c);
    }

    [Fact]
    public void The_whole_suite_runs_as_a_non_english_server()
    {
        // TestCulture's module initializer: every test, not only these, runs in TEST_CULTURE (de-DE unless set).
        Assert.Equal(TestCulture.Server, CultureInfo.CurrentCulture);
        Assert.Equal(TestCulture.Server, CultureInfo.DefaultThreadCurrentCulture);
        Assert.NotEqual("en", CultureInfo.CurrentCulture.TwoLetterISOLanguageName);
        Assert.NotEqual("iv", CultureInfo.CurrentCulture.TwoLetterISOLanguageName);
    }

    [Theory]
    [InlineData("de-DE")]
    [InlineData("ar-SA")]
    public async Task The_cabinets_csv_json_and_date_inputs_are_the_same_in_any_server_culture(string culture)
    {
        var cabinet = await _app.SignedInAsync("cabinet@kultur.test");
        RunAs(culture);

        var page = await cabinet.GetDocumentAsync("/Cabinet");
        Assert.Equal("2026-08", page.QuerySelector("input#From")!.GetAttribute("value"));
        Assert.Equal("2027-07", page.QuerySelector("input#To")!.GetAttribute("value"));
        Assert.Contains(page.QuerySelectorAll("a[href*='.csv']"), a => a.GetAttribute("href")!.Contains("from=2026-08&to=2027-07"));

        var csv = await cabinet.GetAsync("/api/v1/cabinet/tables/month.csv?from=2026-08-01&to=2027-07-31");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("services-month-2026-08-to-2027-07.csv", csv.Content.Headers.ContentDisposition!.FileName?.Trim('"'));
        var rows = (await csv.Content.ReadAsStringAsync()).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(rows, r => r.Contains(",12,"));

        var json = JsonDocument.Parse(await cabinet.GetStringAsync("/api/v1/cabinet/dashboard?from=2026-08-01&to=2027-07-31")).RootElement;
        Assert.Equal("2026-08-01", json.GetProperty("from").GetString());
        Assert.Equal(24, json.GetProperty("totals").GetProperty("servicesDelivered").GetProperty("value").GetInt32());
    }

    [Theory]
    [InlineData("de-DE")]
    [InlineData("ar-SA")]
    public async Task A_date_posted_in_a_form_is_read_as_yyyy_MM_dd_in_any_server_culture(string culture)
    {
        var provider = await _app.SignedInAsync("provider@kultur.test");
        RunAs(culture);
        var recorded = await provider.SubmitFormAsync($"/Provider/Referrals/{_referral}", new() { ["deliveredOn"] = "2026-11-19", ["amount"] = "1" },
            formSelector: "form[action*='handler=Deliver']");
        Assert.Equal(HttpStatusCode.Redirect, recorded.StatusCode);
        Assert.True(await _app.InTenant(_tenant, (_, db) => db.ServiceDeliveries.AnyAsync(d => d.ReferralId == _referral && d.DeliveredOn == new DateOnly(2026, 11, 19))));
    }

    [Theory]
    [InlineData("de-DE")]
    [InlineData("ar-SA")]
    public async Task OneRoster_and_HSDS_files_read_the_same_in_any_server_culture(string culture)
    {
        var seed = DemoSeeder.FindSeedData(AppContext.BaseDirectory)!;
        RunAs(culture);
        var files = Directory.EnumerateFiles(Path.Combine(seed, "oneroster")).ToDictionary(f => Path.GetFileName(f), File.ReadAllText);
        var preview = await _app.InTenant(_tenant, (sp, _) => sp.GetRequiredService<OneRosterImporter>().PreviewAsync(files));
        Assert.Empty(preview.FileErrors);
        Assert.Empty(preview.Rejected);

        var result = await _app.InTenant(_tenant, (sp, _) => sp.GetRequiredService<HsdsImporter>().ImportDirectoryAsync(Path.Combine(seed, "hsds")));
        Assert.True(result.ServicesAdded > 0);
        Assert.True(await _app.InTenant(_tenant, (_, db) => db.Services.AnyAsync(s => s.Capacity > 0)));
    }
}
