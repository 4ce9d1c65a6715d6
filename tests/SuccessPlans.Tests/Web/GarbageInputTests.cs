using System.Net;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.RazorPages.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;
using static SuccessPlans.Tests.Infrastructure.SqliteLocks;

namespace SuccessPlans.Tests.Web;

/// <summary>
/// Garbage in every bound property of every form and endpoint, found from the app itself (its Razor Pages handlers
/// and their bound properties, its minimal API endpoints and their parameters), so a new form is covered the day it
/// is added. Each is reached by a role that may use it; no answer may be a 5xx. The same pages, found the same way,
/// are also seen by every role to check that a page view writes nothing to the database and does not wait for its
/// write lock.
/// </summary>
public class GarbageInputTests : IAsyncLifetime
{
    private readonly AppFactory _app = new(new DateTimeOffset(2026, 11, 20, 15, 0, 0, TimeSpan.Zero));
    private int _tenant, _school, _student, _need, _referral, _organization, _service, _editedUser;
    private readonly Dictionary<string, HttpClient> _clients = [];

    // Not a number, a boolean, a date or a choice; and a number too big for any of them.
    private static readonly string[] Garbage = ["garbage", "99999999999999999999"];

    public async Task InitializeAsync()
    {
        _tenant = (await _app.CreateTenantAsync("garbage")).Id;
        _school = (await _app.CreateSchoolAsync(_tenant, "Garbage Elementary")).Id;
        (_organization, _service) = await _app.InTenant(_tenant, async (_, db) =>
        {
            var service = new Service { Name = "Tutoring", Organization = new ProviderOrganization { Name = "Helpers" }, Domain = Domain.Academic };
            db.Services.Add(service);
            await db.SaveChangesAsync();
            return (service.OrganizationId, service.Id);
        });
        await _app.ServeAsync(_tenant, _school, Domain.Academic, _service, 1, [new DateOnly(2026, 11, 2)], "Gia");
        (_student, _need, _referral) = await _app.InTenant(_tenant, async (_, db) =>
        {
            var referral = await db.Referrals.SingleAsync();
            return (referral.StudentId, referral.NeedId, referral.Id);
        });
        await _app.CreateUserAsync(_tenant, "admin@garbage.test", UserRole.Admin);
        await _app.CreateUserAsync(_tenant, "coord@garbage.test", UserRole.Coordinator, [_school]);
        await _app.CreateUserAsync(_tenant, "provider@garbage.test", UserRole.Provider, organizationId: _organization);
        await _app.CreateUserAsync(_tenant, "cabinet@garbage.test", UserRole.Cabinet);
        await _app.CreateUserAsync(null, "operator@garbage.test", UserRole.Operator);
        _editedUser = (await _app.CreateUserAsync(_tenant, "edited@garbage.test", UserRole.Coordinator, [_school])).Id;

        // The order roles are tried in: anonymous first, so that signing out is done by nobody.
        _clients["anonymous"] = _app.Browser();
        // Between the password and the second factor: the only one who reaches the two-factor sign-in pages.
        await _app.CreateUserAsync(_tenant, "twostep@garbage.test", UserRole.Admin);
        _clients["password only"] = _app.Browser();
        await _clients["password only"].SubmitFormAsync("/Account/Login", new() { ["Input.Email"] = "twostep@garbage.test", ["Input.Password"] = AppFactory.Password });
        foreach (var who in new[] { "admin", "coord", "provider", "cabinet", "operator" })
            _clients[who] = await _app.SignedInAsync($"{who}@garbage.test");
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    /// <summary>A field to fill: its name as posted, its type, and whether it is a file.</summary>
    private sealed record Field(string Name, Type Type, bool IsFile);

    /// <summary>One form handler or endpoint, ready to be posted garbage.</summary>
    private sealed record Target(string Method, string Url, List<Field> Fields, bool Json, Type? BodyType);

    [Fact]
    public async Task No_form_or_endpoint_answers_5xx_to_garbage()
    {
        var targets = (await PageTargetsAsync()).Concat(ApiTargets()).ToList();
        // Enumerated, not listed: the forms this issue was about are among them.
        Assert.Contains(targets, t => t.Url.EndsWith("/Consent") && t.Method == "POST" && t.Fields.Any(f => f.Name == "Input.CoversServices"));
        Assert.Contains(targets, t => t.Url.StartsWith("/Users/Edit/") && t.Fields.Any(f => f.Name == "Input.Active"));
        Assert.Contains(targets, t => t.Url.Contains("/plan/items") && t.Json);

        var failures = new List<string>();
        var reached = 0;
        foreach (var target in targets)
        {
            var client = await ClientForAsync(target);
            if (client is null)
            {
                failures.Add($"{target.Method} {target.Url}: no role reaches it");
                continue;
            }
            reached++;
            foreach (var (description, request) in Requests(target))
            {
                var response = await client.SendAsync(await request(client));
                if ((int)response.StatusCode >= 500)
                    failures.Add($"{target.Method} {target.Url} {description}: {(int)response.StatusCode} {Summary(await response.Content.ReadAsStringAsync())}");
            }
        }
        Assert.True(reached > 40, $"only {reached} forms and endpoints reached");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>
    /// Every page's GET, by every role (those it is for and those it turns away), seen again commits nothing to the
    /// database: a GET that writes takes the database's write lock (and waits behind a nightly check or an import), and
    /// on SQLite its commit makes every other connection read its pages again. A view's access log entry goes to its
    /// staging file. Only a first view may write what it must keep: the authenticator key the two-factor page shows.
    /// </summary>
    [Fact]
    public async Task No_page_seen_again_commits_to_the_database()
    {
        var staging = _app.Services.GetRequiredService<SuccessPlans.Features.Audit.AccessLogStaging>();
        staging.MoveInterval = TimeSpan.FromHours(1);
        await using var watcher = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_app.Root, "app.db")};Pooling=False");
        await watcher.OpenAsync();
        var gets = await EveryPageSeenOnceAsync();
        var writers = new List<string>();
        var answered = 0;
        foreach (var url in gets)
            foreach (var (who, client) in _clients)
            {
                // What views staged so far moves first (a move is a write of its own, made before any read of the log).
                await _app.FlushAccessLogAsync();
                var before = await DataVersionAsync(watcher);
                var response = await client.GetAsync(url);
                if (response.StatusCode == HttpStatusCode.OK) answered++;
                if (await DataVersionAsync(watcher) != before) writers.Add($"{url} as {who} ({(int)response.StatusCode})");
            }
        Assert.True(answered > 60, $"only {answered} pages answered 200");
        Assert.True(writers.Count == 0, "GETs that committed: " + string.Join(", ", writers));
    }

    /// <summary>
    /// While a long job holds the database's write lock (a nightly check, an import), every page still answers every
    /// role at once: no GET waits for the lock.
    /// </summary>
    [Fact]
    public async Task Every_page_answers_while_a_job_holds_the_databases_write_lock()
    {
        _app.Services.GetRequiredService<SuccessPlans.Features.Audit.AccessLogStaging>().MoveInterval = TimeSpan.FromHours(1);
        var gets = await EveryPageSeenOnceAsync();
        await _app.FlushAccessLogAsync();
        var waited = new List<string>();
        await using (var job = await HoldWriteLockAsync(Path.Combine(_app.Root, "app.db")))
        {
            var pending = new List<Task>();
            foreach (var url in gets)
                foreach (var (who, client) in _clients)
                {
                    var view = client.GetAsync(url);
                    if (await Task.WhenAny(view, Task.Delay(TimeSpan.FromSeconds(5))) != view)
                    {
                        waited.Add($"{url} as {who}");
                        pending.Add(view);
                    }
                }
            await job.ReleaseAsync();
            await Task.WhenAll(pending);
        }
        Assert.True(waited.Count == 0, "GETs that waited for the write lock: " + string.Join(", ", waited));
    }

    /// <summary>
    /// The forms are plain HTML: no form tag helper writes their action or token (issue 15, the views' _ViewImports).
    /// So every post form of every page, as every role sees it, must carry its antiforgery token itself and post to a
    /// handler its page has; and no page may send a tag helper's asp- attribute as written (one the helpers no longer read).
    /// </summary>
    [Fact]
    public async Task Every_post_form_carries_its_token_and_posts_to_a_handler_that_exists()
    {
        var handlers = await PostHandlersAsync();
        var gets = await EveryPageSeenOnceAsync();
        var problems = new List<string>();
        var forms = 0;
        foreach (var url in gets)
            foreach (var (who, client) in _clients)
            {
                var response = await client.GetAsync(url);
                if (response.StatusCode != HttpStatusCode.OK) continue;
                var html = await response.Content.ReadAsStringAsync();
                if (Regex.Match(html, @"<[a-z]+\b[^>]*\sasp-[a-z-]+=") is { Success: true } unread)
                    problems.Add($"{url} as {who}: an asp- attribute went out as written: {unread.Value}");
                foreach (Match form in Regex.Matches(html, @"<form\b([^>]*)>(.*?)</form>", RegexOptions.Singleline))
                {
                    if (!Regex.IsMatch(form.Groups[1].Value, @"method=""post""", RegexOptions.IgnoreCase)) continue;
                    forms++;
                    var action = Regex.Match(form.Groups[1].Value, @"action=""([^""]*)""") is { Success: true } a ? WebUtility.HtmlDecode(a.Groups[1].Value) : url;
                    var target = new Uri(new Uri("https://localhost" + url), action);
                    if (!form.Groups[2].Value.Contains("name=\"__RequestVerificationToken\"", StringComparison.Ordinal))
                        problems.Add($"{url} as {who}: the form posting to {action} has no antiforgery token");
                    var handler = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(target.Query).TryGetValue("handler", out var h) ? h.ToString() : "";
                    if (!handlers.Any(p => p.Handlers.Contains(handler) && p.Matcher.TryMatch(target.AbsolutePath, new RouteValueDictionary())))
                        problems.Add($"{url} as {who}: the form posts to {action}, no page's post handler");
                }
            }
        Assert.True(forms > 30, $"only {forms} post forms seen");
        Assert.True(problems.Count == 0, string.Join("\n", problems.Distinct()));
    }

    /// <summary>Each page's route and the names of its post handlers ("" for OnPost).</summary>
    private async Task<List<(Microsoft.AspNetCore.Routing.Template.TemplateMatcher Matcher, HashSet<string> Handlers)>> PostHandlersAsync()
    {
        var loader = _app.Services.GetRequiredService<PageLoader>();
        var pages = new List<(Microsoft.AspNetCore.Routing.Template.TemplateMatcher, HashSet<string>)>();
        foreach (var descriptor in _app.Services.GetRequiredService<IActionDescriptorCollectionProvider>().ActionDescriptors.Items.OfType<PageActionDescriptor>())
        {
            var page = await loader.LoadAsync(descriptor, EndpointMetadataCollection.Empty);
            var template = Microsoft.AspNetCore.Routing.Template.TemplateParser.Parse(page.AttributeRouteInfo!.Template!);
            pages.Add((new Microsoft.AspNetCore.Routing.Template.TemplateMatcher(template, new RouteValueDictionary()),
                page.HandlerMethods.Where(m => m.HttpMethod.Equals("Post", StringComparison.OrdinalIgnoreCase)).Select(m => m.Name ?? "").ToHashSet()));
        }
        return pages;
    }

    /// <summary>
    /// Every page's address (its plain GET), each seen once by every role: a first view may keep what it must (the
    /// two-factor page's key), so what the tests above check is what every later view does.
    /// </summary>
    private async Task<List<string>> EveryPageSeenOnceAsync()
    {
        var gets = (await PageTargetsAsync()).Where(t => t.Method == "GET" && !t.Url.Contains("handler=")).Select(t => t.Url).Distinct().ToList();
        Assert.Contains($"/Students/{_student}", gets);
        foreach (var url in gets)
            foreach (var (_, client) in _clients)
                await client.GetAsync(url);
        return gets;
    }

    private static string Summary(string body) =>
        Regex.Match(body, "<title>(.*?)</title>|\"title\":\"(.*?)\"") is { Success: true } m ? m.Value : body.Length > 200 ? body[..200] : body;

    // ---- Razor Pages: every handler of every page, with the page's bound properties and the handler's parameters.

    private async Task<List<Target>> PageTargetsAsync()
    {
        var descriptors = _app.Services.GetRequiredService<IActionDescriptorCollectionProvider>().ActionDescriptors.Items.OfType<PageActionDescriptor>();
        var loader = _app.Services.GetRequiredService<PageLoader>();
        var metadata = _app.Services.GetRequiredService<IModelMetadataProvider>();
        var targets = new List<Target>();
        foreach (var descriptor in descriptors.GroupBy(d => d.ViewEnginePath).Select(g => g.First()))
        {
            var page = await loader.LoadAsync(descriptor, EndpointMetadataCollection.Empty);
            var path = "/" + FillRoute(page.AttributeRouteInfo!.Template!, page.ViewEnginePath);
            var properties = page.BoundProperties.SelectMany(p => Leaves(metadata, p.BindingInfo?.BinderModelName ?? p.Name, p.ParameterType, 0)).ToList();
            foreach (var handler in page.HandlerMethods)
            {
                var routeNames = RouteParameters(page.AttributeRouteInfo.Template!);
                var parameters = handler.Parameters.Where(p => !typeof(CancellationToken).IsAssignableFrom(p.ParameterType) && !routeNames.Contains(p.Name))
                    .SelectMany(p => Leaves(metadata, p.BindingInfo?.BinderModelName ?? p.Name, p.ParameterType, 0));
                var url = handler.Name is null ? path : $"{path}{(path.Contains('?') ? '&' : '?')}handler={handler.Name}";
                targets.Add(new Target(handler.HttpMethod.ToUpperInvariant(), url, [.. properties, .. parameters], false, null));
            }
        }
        return targets;
    }

    /// <summary>The leaves a form posts for a bound type: "Input.Active", "Input.SchoolIds", "files".</summary>
    private static IEnumerable<Field> Leaves(IModelMetadataProvider provider, string name, Type type, int depth)
    {
        if (typeof(IFormFile).IsAssignableFrom(type) || typeof(IEnumerable<IFormFile>).IsAssignableFrom(type))
            return [new Field(name, type, true)];
        var m = provider.GetMetadataForType(type);
        if (!m.IsComplexType || depth > 3)
            return [new Field(name, type, false)];
        if (m.IsEnumerableType)
            return m.ElementMetadata is { IsComplexType: true } element ? Leaves(provider, $"{name}[0]", element.ModelType, depth + 1) : [new Field(name, type, false)];
        return m.Properties.Where(p => p.IsBindingAllowed && !p.IsReadOnly).SelectMany(p => Leaves(provider, $"{name}.{p.PropertyName}", p.ModelType, depth + 1));
    }

    // ---- Minimal API endpoints: every /api route with its parameters (query, route, JSON body).

    private IEnumerable<Target> ApiTargets()
    {
        var services = _app.Services.GetRequiredService<Microsoft.Extensions.DependencyInjection.IServiceProviderIsService>();
        foreach (var endpoint in _app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var pattern = endpoint.RoutePattern.RawText ?? "";
            if (!pattern.StartsWith("/api/", StringComparison.Ordinal) || endpoint.Metadata.GetMetadata<MethodInfo>() is not { } method)
                continue;
            var routeNames = RouteParameters(pattern);
            var url = FillRoute(pattern.TrimStart('/'), pattern);
            var fields = new List<Field>();
            Type? body = null;
            var verb = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.FirstOrDefault() ?? "GET";
            foreach (var p in method.GetParameters())
            {
                if (p.ParameterType == typeof(CancellationToken) || p.ParameterType == typeof(HttpContext) || services.IsService(p.ParameterType) || routeNames.Contains(p.Name!))
                    continue;
                if (IsSimple(p.ParameterType)) fields.Add(new Field(p.Name!, p.ParameterType, false));
                else body = p.ParameterType;
            }
            yield return new Target(verb, "/" + url, fields, body is not null, body);
        }
    }

    private static bool IsSimple(Type t)
    {
        t = Nullable.GetUnderlyingType(t) ?? t;
        return t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal) || t == typeof(DateOnly) || t == typeof(DateTime) || t == typeof(Guid);
    }

    // ---- Routes: the ids of the rows made above, by what the route is about.

    private static HashSet<string> RouteParameters(string template) =>
        Regex.Matches(template, @"\{(\w+)").Select(m => m.Groups[1].Value).ToHashSet(StringComparer.OrdinalIgnoreCase);

    private string FillRoute(string template, string about) =>
        Regex.Replace(template, @"\{(\w+)[^}]*\}", m => m.Groups[1].Value switch
        {
            "needId" or "itemId" => $"{_need}",
            "table" => "domain",
            "code" => "404",
            _ => about switch
            {
                _ when about.Contains("Students", StringComparison.OrdinalIgnoreCase) || about.Contains("Review") => $"{_student}",
                _ when about.Contains("Referral", StringComparison.OrdinalIgnoreCase) || about.Contains("Provider") => $"{_referral}",
                _ when about.Contains("Users") => $"{_editedUser}",
                _ when about.Contains("Schools", StringComparison.OrdinalIgnoreCase) => $"{_school}",
                _ when about.Contains("Services") => $"{_service}",
                _ when about.Contains("Organizations") => $"{_organization}",
                _ => "",
            },
        }).Replace("//", "/").TrimEnd('/');

    // ---- Who may use it: the first role (anonymous first) that is neither sent to sign in nor refused.

    private readonly Dictionary<string, HttpClient?> _reaches = [];

    private async Task<HttpClient?> ClientForAsync(Target target)
    {
        // A page's handlers share its authorization: its plain GET is probed once.
        var (method, url) = target.Json ? (target.Method, target.Url) : ("GET", target.Url.Split("handler=")[0].TrimEnd('?', '&'));
        if (_reaches.TryGetValue($"{method} {url}", out var known)) return known;
        foreach (var (_, client) in _clients)
        {
            var probe = new HttpRequestMessage(new HttpMethod(method), url) { Content = target.Json ? new StringContent("{}", Encoding.UTF8, "application/json") : null };
            var response = await client.SendAsync(probe);
            var location = response.Headers.Location?.OriginalString ?? "";
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden || location.Contains("/Account/Login") || location.Contains("/Account/AccessDenied"))
                continue;
            return _reaches[$"{method} {url}"] = client;
        }
        return _reaches[$"{method} {url}"] = null;
    }

    // ---- The garbage: each field alone with each bad value, every field at once, and for JSON bodies broken JSON.

    private IEnumerable<(string Description, Func<HttpClient, Task<HttpRequestMessage>> Request)> Requests(Target target)
    {
        var scalars = target.Fields.Where(f => !f.IsFile).ToList();
        foreach (var field in scalars)
            foreach (var value in Garbage)
                yield return ($"{field.Name}={value}", c => BuildAsync(c, target, new() { [field.Name] = value }));
        yield return ("every field garbage", c => BuildAsync(c, target, scalars.ToDictionary(f => f.Name, _ => "garbage")));
        if (target.Json)
        {
            foreach (var json in JsonGarbage(target.BodyType!))
                yield return ($"body {json}", _ => Task.FromResult(new HttpRequestMessage(new HttpMethod(target.Method), target.Url) { Content = new StringContent(json, Encoding.UTF8, "application/json") }));
        }
    }

    private static IEnumerable<string> JsonGarbage(Type body)
    {
        yield return "{";
        yield return "[]";
        yield return "\"text\"";
        yield return "null";
        yield return "";
        foreach (var p in body.GetProperties())
        {
            var name = char.ToLowerInvariant(p.Name[0]) + p.Name[1..];
            foreach (var value in new[] { "\"garbage\"", "{\"nested\": [1]}" })
                yield return "{\"" + name + "\": " + value + "}";
        }
    }

    private static async Task<HttpRequestMessage> BuildAsync(HttpClient client, Target target, Dictionary<string, string> values)
    {
        if (target.Method == "GET" || target.Json)
        {
            var query = string.Join("&", values.Select(v => $"{Uri.EscapeDataString(v.Key)}={Uri.EscapeDataString(v.Value)}"));
            var url = query.Length == 0 ? target.Url : $"{target.Url}{(target.Url.Contains('?') ? '&' : '?')}{query}";
            return new HttpRequestMessage(new HttpMethod(target.Method), url) { Content = target.Json ? new StringContent("{}", Encoding.UTF8, "application/json") : null };
        }
        var token = await TokenAsync(client);
        var form = new MultipartFormDataContent { { new StringContent(token), "__RequestVerificationToken" } };
        foreach (var (name, value) in values)
            form.Add(new StringContent(value), name);
        foreach (var file in target.Fields.Where(f => f.IsFile))
            form.Add(new ByteArrayContent(Encoding.UTF8.GetBytes("garbage,\"unclosed\n\u0000")), file.Name, "garbage.zip");
        return new HttpRequestMessage(HttpMethod.Post, target.Url) { Content = form };
    }

    private static readonly Dictionary<HttpClient, string> Tokens = [];

    /// <summary>An antiforgery token for this client's user: from the sign-out form, or the sign-in form when signed out.</summary>
    private static async Task<string> TokenAsync(HttpClient client)
    {
        if (Tokens.TryGetValue(client, out var token)) return token;
        var response = await client.GetAsync("/Account/Login");
        var document = await Forms.ParseAsync(response);
        token = document.QuerySelector("input[name=__RequestVerificationToken]")?.GetAttribute("value");
        if (token is null)
        {
            var home = await client.GetAsync(response.Headers.Location?.OriginalString ?? "/");
            while (home.StatusCode == HttpStatusCode.Redirect) home = await client.GetAsync(home.Headers.Location!.OriginalString);
            token = (await Forms.ParseAsync(home)).QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        }
        return Tokens[client] = token;
    }
}
