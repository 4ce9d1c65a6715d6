using System.Diagnostics;

namespace SuccessPlans.Tests.Startup;

/// <summary>A misconfigured app stops with one clear line saying what to set, not a stack trace. Runs the real app as a process.</summary>
public class StartupFailureTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("successplans-start-").FullName;

    private async Task<(int ExitCode, string StdErr, string StdOut)> StartAsync(Dictionary<string, string> environment)
    {
        var app = typeof(Program).Assembly.Location;
        var start = new ProcessStartInfo("dotnet", [app])
        {
            WorkingDirectory = _dir,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        start.Environment["Jobs__RunServer"] = "false";
        foreach (var (key, value) in environment)
            start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try { await process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"the app did not stop: {await stdout}");
        }
        return (process.ExitCode, await stderr, await stdout);
    }

    private static void AssertOneClearLine(string stderr, string expected)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var line = Assert.Single(lines);
        Assert.StartsWith("SuccessPlans cannot start: ", line);
        Assert.Contains(expected, line);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Fact]
    public async Task An_unknown_database_provider()
    {
        var (code, stderr, _) = await StartAsync(new() { ["Database__Provider"] = "Oracle" });
        Assert.Equal(1, code);
        AssertOneClearLine(stderr, "Database:Provider 'Oracle' is not known: set it to Sqlite or SqlServer.");
    }

    [Fact]
    public async Task Sql_server_without_a_connection_string()
    {
        var (code, stderr, _) = await StartAsync(new() { ["Database__Provider"] = "SqlServer" });
        Assert.Equal(1, code);
        AssertOneClearLine(stderr, "ConnectionStrings:SqlServer is empty");
    }

    [Fact]
    public async Task An_unreachable_sql_server()
    {
        var (code, stderr, _) = await StartAsync(new()
        {
            ["Database__Provider"] = "SqlServer",
            ["ConnectionStrings__SqlServer"] = "Server=127.0.0.1,1;Database=x;User Id=sa;Password=x;Connect Timeout=3;TrustServerCertificate=true",
            // One retry, not six: the line it ends with is the same, and six take a minute of the CI's time.
            ["Database__MaxRetryCount"] = "1",
        });
        Assert.Equal(1, code);
        AssertOneClearLine(stderr, "check ConnectionStrings:SqlServer");
    }

    [Fact]
    public async Task A_malformed_seed_file_names_the_file_and_line()
    {
        var seed = Path.Combine(_dir, "seed");
        Directory.CreateDirectory(Path.Combine(seed, "oneroster"));
        Directory.CreateDirectory(Path.Combine(seed, "hsds"));
        File.WriteAllText(Path.Combine(seed, "oneroster", "orgs.csv"), "sourcedId,status,name,type\r\nschool-1,active,One School,school\r\n");
        File.WriteAllText(Path.Combine(seed, "oneroster", "users.csv"),
            "sourcedId,status,role,orgSourcedIds,givenName,familyName\r\nstu-1,active,student,school-1,Ana,Lee\r\nstu-2,active,student,school-9,Bo,Kim\r\n");
        File.WriteAllText(Path.Combine(seed, "hsds", "organizations.csv"), "id,name\r\n");
        File.WriteAllText(Path.Combine(seed, "hsds", "services.csv"), "id,organization_id,name,status\r\n");
        var (code, stderr, _) = await StartAsync(new()
        {
            ["Demo__Enabled"] = "true",
            ["Demo__SeedDataDirectory"] = seed,
            ["ConnectionStrings__Sqlite"] = $"Data Source={Path.Combine(_dir, "app.db")}",
        });
        Assert.Equal(1, code);
        AssertOneClearLine(stderr, "users.csv line 3: orgSourcedIds 'school-9' is not a school in orgs.csv");
    }

    [Fact]
    public async Task Demo_users_are_never_created_in_production()
    {
        var (code, stderr, _) = await StartAsync(new() { ["ASPNETCORE_ENVIRONMENT"] = "Production", ["Demo__Enabled"] = "true" });
        Assert.Equal(1, code);
        AssertOneClearLine(stderr, "Demo:Enabled is true in Production");
    }

    [Fact]
    public async Task Production_without_a_public_address()
    {
        var (code, stderr, _) = await StartAsync(new() { ["ASPNETCORE_ENVIRONMENT"] = "Production", ["ConnectionStrings__Sqlite"] = $"Data Source={Path.Combine(_dir, "app.db")}" });
        Assert.Equal(1, code);
        AssertOneClearLine(stderr, "App:BaseUrl is empty: set App__BaseUrl");
    }

    [Fact]
    public async Task Production_with_a_plain_http_public_address()
    {
        var (code, stderr, _) = await StartAsync(new() { ["ASPNETCORE_ENVIRONMENT"] = "Production", ["App__BaseUrl"] = "http://plans.example.org" });
        Assert.Equal(1, code);
        AssertOneClearLine(stderr, "App:BaseUrl 'http://plans.example.org' is not https");
    }

    [Fact]
    public async Task A_known_proxy_that_is_not_an_address()
    {
        var (code, stderr, _) = await StartAsync(new() { ["ForwardedHeaders__KnownProxies"] = "10.0.0.5, proxy.internal" });
        Assert.Equal(1, code);
        AssertOneClearLine(stderr, "ForwardedHeaders:KnownProxies has 'proxy.internal', which is not an IP address");
    }

    [Fact]
    public async Task A_known_network_without_its_prefix()
    {
        var (code, stderr, _) = await StartAsync(new() { ["ForwardedHeaders__KnownNetworks__0"] = "10.0.0.0" });
        Assert.Equal(1, code);
        AssertOneClearLine(stderr, "ForwardedHeaders:KnownNetworks has '10.0.0.0', which is not a network");
    }

    [Theory]
    [InlineData("RateLimits__MaxBegunRequests", "0", "RateLimits:MaxBegunRequests is '0'")]
    [InlineData("RateLimits__MaxConcurrentRequests", "many", "RateLimits:MaxConcurrentRequests is 'many'")]
    [InlineData("RateLimits__SignIn__WindowSeconds", "0", "RateLimits:SignIn:WindowSeconds is '0'")]
    public async Task A_request_count_that_is_not_a_whole_number_of_at_least_one(string key, string value, string expected)
    {
        var (code, stderr, _) = await StartAsync(new() { [key] = value });
        Assert.Equal(1, code);
        AssertOneClearLine(stderr, expected);
    }

    [Fact]
    public async Task A_data_protection_certificate_that_cannot_be_read()
    {
        var (code, stderr, _) = await StartAsync(new() { ["DataProtection__CertificatePath"] = Path.Combine(_dir, "missing.pfx") });
        Assert.Equal(1, code);
        AssertOneClearLine(stderr, "DataProtection:CertificatePath");
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
