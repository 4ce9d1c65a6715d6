using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using SuccessPlans.Data;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Notifications;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Students;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Production;

/// <summary>
/// Every address that leaves the app is built from App:BaseUrl, never from the request: behind a proxy the request
/// carries the internal address (http://node:8080), and jobs have no request at all.
/// </summary>
public class PublicLinksTests : IAsyncLifetime
{
    private const string PublicAddress = "https://plans.example.org";
    private readonly AppFactory _app = new();
    private int _tenant, _student, _need, _service;

    public async Task InitializeAsync()
    {
        _app.Settings["App:BaseUrl"] = PublicAddress + "/";
        _tenant = (await _app.CreateTenantAsync("links")).Id;
        var school = (await _app.CreateSchoolAsync(_tenant, "Links School")).Id;
        var today = DateOnly.FromDateTime(_app.Time.GetUtcNow().UtcDateTime);
        var org = 0;
        await _app.InTenant(_tenant, async (_, db) =>
        {
            var organization = new ProviderOrganization { Name = "Bright Eyes", Email = "intake@brighteyes.test" };
            var student = new Student { GivenName = "Ana", FamilyName = "Links", SchoolId = school, Grade = "03" };
            var service = new Service { Name = "Glasses", Organization = organization, Domain = Domain.Health };
            var plan = new SuccessPlan { Student = student, SchoolYear = SchoolYears.For(today), Tier = 2, Status = PlanStatus.Active };
            plan.Items.Add(new PlanItem { Domain = Domain.Health, Kind = PlanItemKind.Need, Description = "Glasses", Status = NeedStatus.Open, IdentifiedOn = today });
            db.AddRange(organization, student, service, plan);
            db.Consents.Add(new Consent { Student = student, GuardianName = "G", GivenOn = today.AddDays(-1), SharesWithAnyPartner = true, RecordedByName = "test" });
            await db.SaveChangesAsync();
            (_student, _need, _service, org) = (student.Id, plan.Items[0].Id, service.Id, organization.Id);
        });
        await _app.CreateUserAsync(_tenant, "coord@links.test", UserRole.Coordinator, [school]);
        await _app.CreateUserAsync(_tenant, "admin@links.test", UserRole.Admin);
        await _app.CreateUserAsync(_tenant, "eyes@links.test", UserRole.Provider, organizationId: org);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private Task<List<Notification>> MailAsync(string kind) =>
        _app.InTenant(_tenant, (_, db) => db.Notifications.Where(n => n.Kind == kind).ToListAsync());

    [Fact]
    public async Task A_providers_referral_email_links_to_the_public_address_not_the_one_the_request_came_in_on()
    {
        var coordinator = await _app.SignedInAsync("coord@links.test");
        var sent = await coordinator.SubmitFormAsync($"/Students/{_student}/Needs/{_need}/Refer?serviceId={_service}", []);
        Assert.Equal(HttpStatusCode.Redirect, sent.StatusCode);

        var mail = await MailAsync("referral");
        Assert.NotEmpty(mail);
        var referralId = await _app.InTenant(_tenant, (_, db) => db.Referrals.Select(r => r.Id).SingleAsync());
        Assert.All(mail, m => Assert.Contains($"{PublicAddress}/Provider/Referrals/{referralId}", m.BodyText));
        Assert.All(mail, m => Assert.DoesNotContain("https://localhost", m.BodyText));
    }

    [Fact]
    public async Task An_invitation_links_to_the_public_address()
    {
        var admin = await _app.SignedInAsync("admin@links.test");
        var invited = await admin.SubmitFormAsync("/Users/Invite", new() { ["Input.Email"] = "cab@links.test", ["Input.DisplayName"] = "Cab", ["Input.Role"] = "Cabinet" });
        Assert.Equal(HttpStatusCode.Redirect, invited.StatusCode);
        var mail = Assert.Single(await MailAsync("invitation"));
        Assert.Matches($@"{PublicAddress}/Account/AcceptInvite\?user=\d+&code=\S+", mail.BodyText);
    }

    [Fact]
    public async Task The_api_document_names_the_public_address_as_its_server()
    {
        var json = JsonDocument.Parse(await _app.Browser().GetStringAsync("/openapi/v1.json"));
        var server = Assert.Single(json.RootElement.GetProperty("servers").EnumerateArray());
        Assert.Equal(PublicAddress, server.GetProperty("url").GetString());
    }

    [Theory]
    [InlineData("", "http://localhost:5080/Students/7")]
    [InlineData("https://plans.example.org", "https://plans.example.org/Students/7")]
    [InlineData("https://example.org/plans/", "https://example.org/plans/Students/7")]
    public void Links_are_absolute_even_without_a_configured_address(string configured, string expected)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [PublicUrls.Setting] = configured }).Build();
        Assert.Equal(expected, PublicUrls.From(config, required: false).Student(7));
    }

    [Fact]
    public void Production_refuses_a_missing_or_plain_http_address()
    {
        var empty = new ConfigurationBuilder().Build();
        Assert.Contains("App:BaseUrl is empty", Assert.Throws<StartupException>(() => PublicUrls.From(empty, required: true)).Message);
        var http = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [PublicUrls.Setting] = "http://plans.example.org" }).Build();
        Assert.Contains("is not https", Assert.Throws<StartupException>(() => PublicUrls.From(http, required: true)).Message);
    }
}
