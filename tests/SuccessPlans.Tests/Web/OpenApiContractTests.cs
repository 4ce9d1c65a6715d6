using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using SuccessPlans.Features.Students;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Web;

/// <summary>
/// The OpenAPI document says what the API does: who may call each operation (cookie or API key), every answer it can
/// give with its schema, an id, a summary and a tag; @redocly/cli's recommended rules find no error in it. And the API
/// answers as the document says.
/// </summary>
public class OpenApiContractTests : IAsyncLifetime
{
    private readonly AppFactory _app = new();
    private string _text = "";
    private JsonElement _doc;
    private int _student;

    private static readonly string[] Methods = ["get", "put", "post", "patch", "delete"];

    public async Task InitializeAsync()
    {
        // A public address as in production (https, a real name), so the linted document is the one callers get.
        _app.Settings["App:BaseUrl"] = "https://plans.successplans.test";
        var tenant = (await _app.CreateTenantAsync("contract")).Id;
        var school = (await _app.CreateSchoolAsync(tenant, "Contract School")).Id;
        _student = await _app.InTenant(tenant, async (_, db) =>
        {
            var s = new Student { GivenName = "Ava", FamilyName = "Adams", SchoolId = school, Grade = "02" };
            db.Students.Add(s);
            await db.SaveChangesAsync();
            return s.Id;
        });
        await _app.CreateUserAsync(tenant, "coord@contract.test", UserRole.Coordinator, [school]);
        await _app.CreateUserAsync(tenant, "cabinet@contract.test", UserRole.Cabinet);
        var response = await _app.Browser().GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        _text = await response.Content.ReadAsStringAsync();
        _doc = JsonDocument.Parse(_text).RootElement;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private IEnumerable<(string Path, string Method, JsonElement Operation)> Operations() =>
        _doc.GetProperty("paths").EnumerateObject().SelectMany(path => path.Value.EnumerateObject()
            .Where(m => Methods.Contains(m.Name)).Select(m => (path.Name, m.Name, m.Value)));

    [Fact]
    public async Task Redocly_lint_with_the_recommended_rules_finds_no_error()
    {
        var root = Model.ModelTests.RepositoryRoot();
        var cli = Path.Combine(root, "tests", "SuccessPlans.Tests", "Browser", "node_modules", "@redocly", "cli", "bin", "cli.js");
        Assert.True(File.Exists(cli), $"{cli} is missing: npm ci --prefix tests/SuccessPlans.Tests/Browser (tests/run.sh does it)");
        var file = Path.Combine(_app.Root, "openapi.json");
        await File.WriteAllTextAsync(file, _text);
        var start = new ProcessStartInfo("node", [cli, "lint", file, "--format=json", "--config", Path.Combine(root, "tests", "SuccessPlans.Tests", "redocly.yaml")])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _app.Root,
        };
        // Offline and quiet: no usage reports, no update check.
        start.Environment["REDOCLY_TELEMETRY"] = "off";
        start.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
        using var node = Process.Start(start)!;
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3)))
            await node.WaitForExitAsync(timeout.Token);
        var output = await stdout;
        Assert.True(output.Contains('{'), $"redocly printed no report (exit {node.ExitCode}): {await stderr}");
        using var report = JsonDocument.Parse(output[output.IndexOf('{')..]);
        var problems = report.RootElement.GetProperty("problems").EnumerateArray()
            .Select(p => $"{p.GetProperty("severity").GetString()} {p.GetProperty("ruleId").GetString()}: {p.GetProperty("message").GetString()} at {p.GetProperty("location")[0].GetProperty("pointer").GetString()}")
            .ToList();
        Assert.True(report.RootElement.GetProperty("totals").GetProperty("errors").GetInt32() == 0, string.Join("\n", problems));
        // Warnings are not failures, but there are none today: keep it that way.
        Assert.Empty(problems);
        Assert.Equal(0, node.ExitCode);
    }

    [Fact]
    public void Both_security_schemes_carry_the_names_the_app_really_reads()
    {
        var schemes = _doc.GetProperty("components").GetProperty("securitySchemes");
        var cookie = schemes.GetProperty("cookie");
        Assert.Equal("apiKey", cookie.GetProperty("type").GetString());
        Assert.Equal("cookie", cookie.GetProperty("in").GetString());
        Assert.Equal("successplans.auth", cookie.GetProperty("name").GetString());
        var key = schemes.GetProperty("apiKey");
        Assert.Equal("apiKey", key.GetProperty("type").GetString());
        Assert.Equal("header", key.GetProperty("in").GetString());
        Assert.Equal("X-Api-Key", key.GetProperty("name").GetString());
        var bearer = schemes.GetProperty("apiKeyBearer");
        Assert.Equal("http", bearer.GetProperty("type").GetString());
        Assert.Equal("bearer", bearer.GetProperty("scheme").GetString());
    }

    [Fact]
    public void Every_operation_has_a_unique_id_a_summary_a_tag_security_and_its_4xx_answers()
    {
        var operations = Operations().ToList();
        Assert.True(operations.Count >= 20, $"only {operations.Count} operations");
        var ids = new HashSet<string>();
        foreach (var (path, method, op) in operations)
        {
            var where = $"{method.ToUpperInvariant()} {path}";
            Assert.True(op.TryGetProperty("operationId", out var id) && ids.Add(id.GetString()!), $"{where}: no operationId, or a repeated one");
            Assert.False(string.IsNullOrWhiteSpace(op.TryGetProperty("summary", out var s) ? s.GetString() : null), $"{where}: no summary");
            Assert.True(op.TryGetProperty("tags", out var tags) && tags.GetArrayLength() == 1, $"{where}: no tag");
            Assert.True(op.TryGetProperty("security", out var security) && security.GetArrayLength() > 0, $"{where}: no security requirement");
            var responses = op.GetProperty("responses").EnumerateObject().ToDictionary(r => r.Name, r => r.Value);
            // Every operation here needs a sign-in in a role: 401 and 403 are among its answers.
            Assert.True(responses.ContainsKey("401") && responses.ContainsKey("403"), $"{where}: 401/403 not documented");
            Assert.Contains(responses.Keys, k => k.StartsWith('2'));
            foreach (var (status, response) in responses.Where(r => r.Key.StartsWith('4')))
            {
                var content = response.GetProperty("content");
                Assert.True(content.TryGetProperty("application/problem+json", out var problem), $"{where} {status}: not application/problem+json");
                var schema = problem.GetProperty("schema").GetProperty("$ref").GetString();
                Assert.True(schema is "#/components/schemas/ProblemDetails" or "#/components/schemas/HttpValidationProblemDetails", $"{where} {status}: {schema}");
            }
            // A body or a query value that does not bind is a 400, and a body that is not JSON a 415.
            if (op.TryGetProperty("requestBody", out _))
                Assert.True(responses.ContainsKey("400") && responses.ContainsKey("415"), $"{where}: a body but no 400/415");
        }
    }

    [Fact]
    public void Security_follows_who_may_call_each_operation()
    {
        foreach (var (path, method, op) in Operations())
        {
            var schemes = op.GetProperty("security").EnumerateArray().SelectMany(r => r.EnumerateObject().Select(p => p.Name)).Order().ToList();
            // Providers' systems come with a key (a header, or a bearer token); everyone else signs in.
            string[] expected = path.StartsWith("/api/v1/referrals") || path.StartsWith("/api/v1/services")
                ? ["apiKey", "apiKeyBearer", "cookie"]
                : ["cookie"];
            Assert.True(expected.SequenceEqual(schemes), $"{method.ToUpperInvariant()} {path}: {string.Join(", ", schemes)}");
        }
    }

    [Fact]
    public void Rate_limited_operations_document_429_and_the_others_do_not()
    {
        foreach (var (path, method, op) in Operations())
        {
            // The provider API (keys) and the cabinet's exports are rate limited (RateLimitHosting).
            var limited = path.StartsWith("/api/v1/referrals") || path.StartsWith("/api/v1/services") || path.StartsWith("/api/v1/cabinet");
            Assert.True(limited == op.GetProperty("responses").TryGetProperty("429", out _), $"{method.ToUpperInvariant()} {path}: 429 documented {!limited}");
        }
    }

    [Fact]
    public void Plan_writes_document_the_plan_they_return()
    {
        var writes = Operations().Where(o => o.Path.StartsWith("/api/v1/students/{id}/plan/") && o.Method != "get").ToList();
        Assert.Equal(5, writes.Count);
        foreach (var (path, method, op) in writes)
        {
            var success = op.GetProperty("responses").EnumerateObject().Where(r => r.Name is "200" or "201").ToList();
            var ok = Assert.Single(success);
            Assert.Equal("#/components/schemas/PlanDto", ok.Value.GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());
            foreach (var status in new[] { "400", "404", "409" })
                Assert.True(op.GetProperty("responses").TryGetProperty(status, out _), $"{method.ToUpperInvariant()} {path}: no {status}");
        }
    }

    [Fact]
    public async Task The_api_answers_401_403_and_415_as_problem_details_as_documented()
    {
        var anonymous = await _app.Browser().GetAsync("/api/v1/students");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);

        var cabinet = await _app.SignedInAsync("cabinet@contract.test");
        var forbidden = await cabinet.GetAsync($"/api/v1/students/{_student}");
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal("application/problem+json", forbidden.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("Adams", await forbidden.Content.ReadAsStringAsync());

        var coordinator = await _app.SignedInAsync("coord@contract.test");
        var notJson = await coordinator.PostAsync($"/api/v1/students/{_student}/plan/review", new StringContent("tier=2", Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, notJson.StatusCode);
        Assert.Equal("application/problem+json", notJson.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Text_where_a_number_is_expected_answers_400_naming_the_field()
    {
        var coordinator = await _app.SignedInAsync("coord@contract.test");
        var review = await coordinator.PostAsync($"/api/v1/students/{_student}/plan/review",
            new StringContent("{\"tier\": \"three\", \"items\": []}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, review.StatusCode);
        Assert.Equal("application/problem+json", review.Content.Headers.ContentType?.MediaType);
        using (var problem = JsonDocument.Parse(await review.Content.ReadAsStringAsync()))
            Assert.Contains("is not a valid whole number", problem.RootElement.GetProperty("errors").GetProperty("tier")[0].GetString());

        var query = await coordinator.GetAsync("/api/v1/students?school=first");
        Assert.Equal(HttpStatusCode.BadRequest, query.StatusCode);
        using (var problem = JsonDocument.Parse(await query.Content.ReadAsStringAsync()))
            Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty("school", out _));

        // Nothing was written: the student still has no plan.
        Assert.Equal(HttpStatusCode.NotFound, (await coordinator.GetAsync($"/api/v1/students/{_student}/plan")).StatusCode);
    }
}
