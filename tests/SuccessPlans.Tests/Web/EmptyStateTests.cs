using AngleSharp.Dom;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Web;

/// <summary>
/// A new tenant, before anything is imported or sent: every page each role reaches from its navigation says what to do
/// next instead of showing a table of headers only. The pages are found from the navigation, so a new one is covered.
/// </summary>
public class EmptyStateTests : IAsyncLifetime
{
    private readonly AppFactory _app = new();

    public async Task InitializeAsync()
    {
        var tenant = (await _app.CreateTenantAsync("empty")).Id;
        var school = (await _app.CreateSchoolAsync(tenant, "A New School")).Id;
        var organization = await _app.InTenant(tenant, async (_, db) =>
        {
            var o = new ProviderOrganization { Name = "A New Partner" };
            db.ProviderOrganizations.Add(o);
            await db.SaveChangesAsync();
            return o.Id;
        });
        await _app.CreateUserAsync(tenant, "admin@empty.test", UserRole.Admin);
        await _app.CreateUserAsync(tenant, "coord@empty.test", UserRole.Coordinator, [school]);
        await _app.CreateUserAsync(tenant, "provider@empty.test", UserRole.Provider, organizationId: organization);
        await _app.CreateUserAsync(tenant, "cabinet@empty.test", UserRole.Cabinet);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData("admin@empty.test")]
    [InlineData("coord@empty.test")]
    [InlineData("provider@empty.test")]
    [InlineData("cabinet@empty.test")]
    public async Task No_page_of_a_new_tenant_shows_a_table_of_headers_only(string email)
    {
        var client = await _app.SignedInAsync(email);
        // "/" sends each role to its home page.
        var start = (await client.GetAsync("/")).Headers.Location!.OriginalString;
        var home = await client.GetDocumentAsync(start);
        var pages = home.QuerySelectorAll("nav[aria-label='Main'] a[href^='/']").Select(a => a.GetAttribute("href")!)
            .Prepend(start).Where(u => u != "/").Distinct().ToList();
        Assert.True(pages.Count > 1, $"{email} has no navigation");
        var bare = new List<string>();
        foreach (var url in pages)
        {
            var response = await client.GetAsync(url);
            if (response.StatusCode == System.Net.HttpStatusCode.Redirect)
                response = await client.GetAsync(response.Headers.Location!.OriginalString);
            Assert.True(response.IsSuccessStatusCode, $"{email} {url}: {(int)response.StatusCode}");
            var document = await Forms.ParseAsync(response);
            foreach (var table in document.QuerySelectorAll("main table"))
            {
                var rows = table.QuerySelectorAll("tbody tr").Length;
                if (rows == 0)
                    bare.Add($"{url}: table '{Caption(table)}' has headers and no row and no message");
            }
        }
        Assert.True(bare.Count == 0, $"{email}:\n{string.Join("\n", bare)}");
    }

    private static string Caption(IElement table) =>
        table.QuerySelector("caption")?.TextContent.Trim() ?? table.QuerySelector("thead")?.TextContent.Trim() ?? table.Id ?? "";
}
