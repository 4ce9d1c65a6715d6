using Microsoft.EntityFrameworkCore;
using SuccessPlans.Data;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Flags;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Referrals;
using SuccessPlans.Features.Students;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Flags;

/// <summary>
/// Issue 15: the worklist keeps its follow-ups and open flags, in order, until a write to what they read
/// (<see cref="TenantReadCache"/>). Every kind of write shows at the next request; time passing shows within the minute;
/// another app process's writes show at the next request, a tool's within the cache's lifetime; another tenant's writes
/// keep the list.
/// </summary>
public class WorklistCacheTests : IAsyncLifetime
{
    // Monday 16 November 2026, 17:00 UTC; the tenant's defaults: no answer after 7 days, stalled after 21.
    private readonly AppFactory _app = new(new DateTimeOffset(2026, 11, 16, 17, 0, 0, TimeSpan.Zero));
    private int _tenant, _other, _school, _otherSchool;
    private int _unanswered, _stalled, _declinedNeed, _recent, _completed, _flagged;

    public async Task InitializeAsync()
    {
        _tenant = (await _app.CreateTenantAsync("worklist-a")).Id;
        _other = (await _app.CreateTenantAsync("worklist-b")).Id;
        _school = (await _app.CreateSchoolAsync(_tenant, "Elm School")).Id;
        _otherSchool = (await _app.CreateSchoolAsync(_other, "Other School")).Id;
        await _app.CreateUserAsync(_tenant, "coord@worklist.test", UserRole.Coordinator, [_school]);
        await _app.CreateUserAsync(_other, "coord@other-worklist.test", UserRole.Coordinator, [_otherSchool]);
        var now = _app.Time.GetUtcNow().UtcDateTime;
        await _app.InTenant(_tenant, async (_, db) =>
        {
            var service = new Service { Name = "Tutoring", Organization = new ProviderOrganization { Name = "Helpers" }, Domain = Domain.Academic };
            db.Services.Add(service);
            Referral Refer(string child, string need, ReferralStatus status, DateTime sent)
            {
                var student = new Student { SchoolId = _school, GivenName = child, FamilyName = "Elm" };
                var plan = new SuccessPlan { Student = student, SchoolYear = 2026, Tier = 2, Status = PlanStatus.Active };
                var item = new PlanItem { Domain = Domain.Academic, Kind = PlanItemKind.Need, Description = need, Status = NeedStatus.Open, IdentifiedOn = new DateOnly(2026, 10, 1) };
                plan.Items.Add(item);
                db.Plans.Add(plan);
                var referral = new Referral { Student = student, Need = item, Service = service, Organization = service.Organization, SchoolId = _school,
                    Status = status, SentByName = "coord", SentAt = sent };
                db.Referrals.Add(referral);
                return referral;
            }
            var unanswered = Refer("Ana", "Reading Ana", ReferralStatus.Sent, now.AddDays(-30));
            var stalled = Refer("Ben", "Reading Ben", ReferralStatus.Accepted, now.AddDays(-40));
            stalled.AnsweredAt = now.AddDays(-30);
            var declined = Refer("Cy", "Reading Cy", ReferralStatus.Declined, now.AddDays(-30));
            (declined.Outcome, declined.ClosedAt) = (ReferralOutcome.NoCapacity, now.AddDays(-29));
            var recent = Refer("Dee", "Reading Dee", ReferralStatus.Sent, now.AddDays(-7).AddMinutes(30));
            var completed = Refer("Eve", "Reading Eve", ReferralStatus.InService, now.AddDays(-30));
            await db.SaveChangesAsync();
            db.Flags.Add(new Flag { Kind = FlagKind.ReviewOverdue, SubjectId = unanswered.StudentId, StudentId = unanswered.StudentId, FirstSeenOn = new DateOnly(2026, 11, 2) });
            await db.SaveChangesAsync();
            (_unanswered, _stalled, _declinedNeed, _recent, _completed, _flagged) =
                (unanswered.Id, stalled.Id, declined.NeedId, recent.Id, completed.Id, unanswered.StudentId);
        });
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<(int FollowUps, string Rows, int Flags)> WorklistAsync(string email = "coord@worklist.test")
    {
        var doc = await (await _app.SignedInAsync(email)).GetDocumentAsync("/Home/Coordinator");
        int Count(string heading) => int.Parse(System.Text.RegularExpressions.Regex.Match(doc.QuerySelector(heading)!.TextContent, @"\((\d+)\)").Groups[1].Value);
        var rows = string.Join(" | ", doc.QuerySelectorAll("#follow-ups ~ table tbody tr td:nth-child(3)").Select(td => td.ChildNodes[0].TextContent.Trim()));
        return (Count("h2#follow-ups"), rows, doc.QuerySelectorAll("input[name=flagIds]").Length);
    }

    private Task WriteAsync(Func<AppDbContext, Task> write) => _app.InTenant(_tenant, async (_, db) => { await write(db); await db.SaveChangesAsync(); });

    public static TheoryData<string> Writers() => new("provider answers", "service delivered", "need met", "completed with help", "flag raised in SQL",
        "flag dismissed", "child erased in SQL");

    [Theory]
    [MemberData(nameof(Writers))]
    public async Task Every_writer_of_what_the_worklist_reads_shows_at_the_next_request(string writer)
    {
        var before = await WorklistAsync();
        Assert.Equal((3, "Reading Cy | Reading Ana | Reading Ben", 1), before);
        Assert.Equal(before, await WorklistAsync()); // kept

        var (followUps, rows, flags) = writer switch
        {
            "provider answers" => (2, "Reading Cy | Reading Ben", 1),
            "service delivered" => (2, "Reading Cy | Reading Ana", 1),
            "need met" => (2, "Reading Ana | Reading Ben", 1),
            "completed with help" => (4, "Reading Eve | Reading Cy | Reading Ana | Reading Ben", 1),
            "flag raised in SQL" => (3, "Reading Cy | Reading Ana | Reading Ben", 2),
            "flag dismissed" => (3, "Reading Cy | Reading Ana | Reading Ben", 0),
            _ => (2, "Reading Cy | Reading Ben", 0),
        };
        switch (writer)
        {
            case "provider answers":
                await WriteAsync(async db => (await db.Referrals.SingleAsync(r => r.Id == _unanswered)).Status = ReferralStatus.Accepted);
                // Accepted just now: not stalled yet.
                await WriteAsync(async db => (await db.Referrals.SingleAsync(r => r.Id == _unanswered)).AnsweredAt = _app.Time.GetUtcNow().UtcDateTime);
                break;
            case "service delivered":
                await WriteAsync(db =>
                {
                    db.ServiceDeliveries.Add(new ServiceDelivery { ReferralId = _stalled, DeliveredOn = new DateOnly(2026, 11, 10), Amount = 1, DeliveredBy = "tutor" });
                    return Task.CompletedTask;
                });
                break;
            case "need met":
                await WriteAsync(async db => (await db.PlanItems.SingleAsync(i => i.Id == _declinedNeed)).Status = NeedStatus.Met);
                break;
            case "completed with help":
                // The provider completes with help: the coordinator confirms the need (first in the list).
                await WriteAsync(async db =>
                {
                    var r = await db.Referrals.SingleAsync(r => r.Id == _completed);
                    (r.Status, r.Outcome, r.ClosedAt) = (ReferralStatus.Completed, ReferralOutcome.GotHelp, _app.Time.GetUtcNow().UtcDateTime.AddDays(-1));
                });
                break;
            case "flag raised in SQL":
                await _app.InTenant(_tenant, (_, db) => db.Database.ExecuteSqlAsync(
                    $"INSERT INTO \"Flags\" (\"TenantId\", \"Kind\", \"SubjectId\", \"StudentId\", \"FirstSeenOn\", \"Version\") SELECT {_tenant}, 'Stalled', {_stalled}, \"StudentId\", '2026-11-16', 'F1' FROM \"Referrals\" WHERE \"Id\" = {_stalled}"));
                break;
            case "flag dismissed":
                await WriteAsync(async db =>
                {
                    var f = await db.Flags.SingleAsync(f => f.StudentId == _flagged);
                    (f.DismissedAt, f.DismissedByName, f.DismissReason) = (_app.Time.GetUtcNow().UtcDateTime, "coord", "seen");
                });
                break;
            default:
                await _app.InTenant(_tenant, (_, db) => db.Database.ExecuteSqlAsync($"UPDATE \"Students\" SET \"Status\" = 'Erased' WHERE \"Id\" = {_flagged}"));
                break;
        }
        Assert.Equal((followUps, rows, flags), await WorklistAsync());
    }

    [Fact]
    public async Task A_referral_that_passes_the_no_answer_age_shows_within_the_minute()
    {
        Assert.DoesNotContain("Reading Dee", (await WorklistAsync()).Rows);
        _app.Time.Advance(TimeSpan.FromMinutes(31));
        Assert.Contains("Reading Dee", (await WorklistAsync()).Rows);
    }

    [Fact]
    public async Task A_write_by_another_app_process_shows_at_the_next_request()
    {
        Assert.Equal((3, "Reading Cy | Reading Ana | Reading Ben", 1), await WorklistAsync());
        // A second app on the same database file, as a second node is: this app's cache never hears of its writes.
        await using var other = new AppFactory(_app.Time.GetUtcNow()) { Settings = { ["ConnectionStrings:Sqlite"] = $"Data Source={Path.Combine(_app.Root, "app.db")}" } };
        await other.InTenant(_tenant, async (_, db) =>
        {
            var referral = await db.Referrals.SingleAsync(r => r.Id == _unanswered);
            (referral.Status, referral.AnsweredAt) = (ReferralStatus.Accepted, _app.Time.GetUtcNow().UtcDateTime);
            await db.SaveChangesAsync();
        });
        Assert.Equal((2, "Reading Cy | Reading Ben", 1), await WorklistAsync());
        await other.InTenant(_tenant, (_, db) => db.Database.ExecuteSqlAsync($"UPDATE \"Flags\" SET \"ResolvedAt\" = '2026-11-16 16:00:00' WHERE \"StudentId\" = {_flagged}"));
        Assert.Equal((2, "Reading Cy | Reading Ben", 0), await WorklistAsync());
    }

    [Fact]
    public async Task A_renamed_service_or_organization_shows_in_the_kept_rows_at_the_next_request()
    {
        async Task<string> FollowUpsAsync() =>
            string.Join(" | ", (await (await _app.SignedInAsync("coord@worklist.test")).GetDocumentAsync("/Home/Coordinator"))
                .QuerySelectorAll("#follow-ups ~ table tbody tr").Select(tr => tr.TextContent));
        Assert.Contains("Tutoring", await FollowUpsAsync());
        Assert.Contains("Helpers", await FollowUpsAsync()); // kept
        // The rows show the service's and the organization's names: a write to either retires them.
        await WriteAsync(async db => (await db.Services.SingleAsync()).Name = "Reading Club");
        Assert.Contains("Reading Club", await FollowUpsAsync());
        await WriteAsync(async db => (await db.ProviderOrganizations.SingleAsync()).Name = "Library Friends");
        Assert.Contains("Library Friends", await FollowUpsAsync());
    }

    [Fact]
    public async Task A_write_from_outside_the_app_shows_once_what_is_kept_reaches_its_lifetime()
    {
        Assert.Equal((3, "Reading Cy | Reading Ana | Reading Ben", 1), await WorklistAsync());
        // SQL from a tool, not an app process: it moves no data version, so the page keeps its rows until their lifetime.
        await _app.WriteElsewhereAsync($"UPDATE \"Referrals\" SET \"Status\" = 'Accepted', \"AnsweredAt\" = '2026-11-16 16:00:00' WHERE \"Id\" = {_unanswered}");
        Assert.Equal((3, "Reading Cy | Reading Ana | Reading Ben", 1), await WorklistAsync());
        _app.Time.Advance(TenantReadCache.Lifetime);
        Assert.Equal((2, "Reading Cy | Reading Ben", 1), await WorklistAsync());
    }

    [Fact]
    public async Task Another_tenants_writes_keep_the_list_and_never_reach_it()
    {
        var cache = _app.Services.GetRequiredService<TenantReadCache>();
        Assert.Equal((3, "Reading Cy | Reading Ana | Reading Ben", 1), await WorklistAsync());
        var stamp = cache.StampOf(_tenant);
        await _app.InTenant(_other, async (_, db) =>
        {
            db.Students.Add(new Student { SchoolId = _otherSchool, GivenName = "Zed", FamilyName = "Other" });
            await db.SaveChangesAsync();
        });
        Assert.Equal(stamp, cache.StampOf(_tenant));
        var other = await WorklistAsync("coord@other-worklist.test");
        Assert.Equal((0, "", 0), other);
    }

    [Fact]
    public void A_pages_rows_are_put_in_the_kept_order_and_those_gone_are_left_out()
    {
        int[] ids = [30, 10, 20, 40];
        string[] rows = ["10", "40", "30", "10"]; // 20 is gone (erased, or out of the filter); 10 read twice
        Assert.Equal(["30", "10", "40"], TenantReadCache.InKeptOrder(rows, ids, int.Parse));
        Assert.Equal(["30", "10", "20", "40"], TenantReadCache.InKeptOrder(["40", "20", "10", "30"], ids, int.Parse));
        Assert.Empty(TenantReadCache.InKeptOrder(["99"], ids, int.Parse));
        Assert.Empty(TenantReadCache.InKeptOrder(Array.Empty<string>(), [], int.Parse));
    }
}
