using Microsoft.Extensions.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using SuccessPlans.Data;
using SuccessPlans.Features.Schools;
using SuccessPlans.Features.Tenants;
using SuccessPlans.Features.Users;
using SuccessPlans.Tenancy;

namespace SuccessPlans.Tests.Infrastructure;

/// <summary>
/// The real app on a real SQLite file in a temp folder, with fake time and no background job server
/// (tests call jobs directly). Each factory is its own world: its own database, mail folder and keys.
/// </summary>
public class AppFactory(DateTimeOffset? start = null) : WebApplicationFactory<Program>
{
    public const string Password = "Test-Password-2026!";

    public string Root { get; } = Directory.CreateTempSubdirectory("successplans-test-").FullName;

    /// <summary>A write the app does not see, as another app process on the same database would make it.</summary>
    public async Task WriteElsewhereAsync(string sql)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(Root, "app.db")};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
    public FakeTimeProvider Time { get; } = new(start ?? DateTimeOffset.UtcNow);
    public string PickupDirectory => Path.Combine(Root, "mail");
    public Dictionary<string, string?> Settings { get; } = new();
    /// <summary>SQLite with a retrying strategy, as SQL Server runs; tests inject transient faults here.</summary>
    public TransientFaults Faults { get; } = new();

    /// <summary>The authenticator key of each user enrolled in two-factor sign-in, by email: the tests' authenticator app.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, string> AuthenticatorKeys { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// A database as a factory leaves it once started: migrated, nothing else. It is made once per test run, and each
    /// factory starts from a copy instead of running every migration again (a run starts hundreds of factories).
    /// </summary>
    private static readonly Lazy<string> Template = new(() =>
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("successplans-template-").FullName, "app.db");
        using var template = new AppFactory { _fromTemplate = false };
        _ = template.Services;
        // SQLite's online backup: a consistent copy while the template's host still holds its connections.
        using var source = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(template.Root, "app.db")}");
        using var copy = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
        source.Open();
        copy.Open();
        source.BackupDatabase(copy);
        // The schema and its migration history only: a row the start wrote (a data-protection key) belongs to the
        // template's world, and every factory makes its own.
        using var tables = copy.CreateCommand();
        tables.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name <> '__EFMigrationsHistory' AND (name NOT LIKE 'sqlite_%' OR name = 'sqlite_sequence')";
        var names = new List<string>();
        using (var reader = tables.ExecuteReader())
            while (reader.Read()) names.Add(reader.GetString(0));
        using var clear = copy.CreateCommand();
        clear.CommandText = "PRAGMA foreign_keys = OFF; " + string.Concat(names.Select(n => $"DELETE FROM \"{n}\"; "));
        clear.ExecuteNonQuery();
        return path;
    }, LazyThreadSafetyMode.ExecutionAndPublication);

    private bool _fromTemplate = true;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // A test that sets its own database (or how it is prepared) starts from nothing, as it asks.
        var database = Path.Combine(Root, "app.db");
        if (_fromTemplate && !File.Exists(database) && !Settings.Keys.Any(k => k.StartsWith("ConnectionStrings:", StringComparison.Ordinal) || k.StartsWith("Database:", StringComparison.Ordinal)))
            File.Copy(Template.Value, database);
        builder.UseEnvironment("Testing");
        // No configuration file watchers: a test run starts hundreds of hosts, and each watcher holds an inotify instance.
        builder.UseSetting("hostBuilder:reloadConfigOnChange", "false");
        builder.UseSetting("Database:Provider", "Sqlite");
        builder.UseSetting("ConnectionStrings:Sqlite", $"Data Source={Path.Combine(Root, "app.db")}");
        builder.UseSetting("Demo:Enabled", "false");
        builder.UseSetting("Jobs:RunServer", "false");
        builder.UseSetting("Email:Delivery", "Pickup");
        builder.UseSetting("Email:PickupDirectory", PickupDirectory);
        builder.UseSetting("App:BaseUrl", "https://localhost");
        // Every test signs in from one address many times: the limits are raised here, and the tests of the limiter set low ones.
        foreach (var policy in new[] { "SignIn", "PasswordReset", "Invitation", "ApiKey", "Export" })
            builder.UseSetting($"RateLimits:{policy}:PermitLimit", "100000");
        foreach (var (key, value) in Settings)
            builder.UseSetting(key, value);
        builder.ConfigureTestServices(s =>
        {
            s.AddSingleton<TimeProvider>(Time);
            s.ConfigureDbContext<AppDbContext>(Faults.Configure);
        });
    }

    public HttpClient Browser() => CreateClient(new WebApplicationFactoryClientOptions
    {
        BaseAddress = new Uri("https://localhost"),
        AllowAutoRedirect = false,
        HandleCookies = true,
    });

    /// <summary>Runs code in a scope of one tenant (or of none, for platform work).</summary>
    public async Task<T> InTenant<T>(int? tenantId, Func<IServiceProvider, AppDbContext, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        if (tenantId is { } id) scope.ServiceProvider.GetRequiredService<CurrentTenant>().Set(id);
        return await work(scope.ServiceProvider, scope.ServiceProvider.GetRequiredService<AppDbContext>());
    }

    /// <summary>
    /// Moves the views' access log entries waiting in SQLite's staging file into AccessLogEntries, as every read of the log
    /// through the app does first (Features/Audit/AccessLogStaging.cs); for tests that read the table themselves.
    /// </summary>
    public Task FlushAccessLogAsync() => Services.GetRequiredService<SuccessPlans.Features.Audit.AccessLogStaging>().FlushAsync();

    public Task InTenant(int? tenantId, Func<IServiceProvider, AppDbContext, Task> work) =>
        InTenant<bool>(tenantId, async (sp, db) => { await work(sp, db); return true; });

    public async Task<Tenant> CreateTenantAsync(string slug, string timeZone = "America/New_York") =>
        await InTenant(null, async (_, db) =>
        {
            var tenant = new Tenant { Name = $"Partnership {slug}", Slug = slug, TimeZoneId = timeZone, CreatedAt = Time.GetUtcNow().UtcDateTime };
            db.Tenants.Add(tenant);
            await db.SaveChangesAsync();
            return tenant;
        });

    public async Task<School> CreateSchoolAsync(int tenantId, string name) =>
        await InTenant(tenantId, async (_, db) =>
        {
            var school = new School { Name = name, ExternalId = $"org-{Guid.NewGuid():N}" };
            db.Schools.Add(school);
            await db.SaveChangesAsync();
            return school;
        });

    /// <summary>
    /// A user who can sign in with <see cref="Password"/>. Admins and operators must have a second factor, so they are
    /// enrolled the way the two-factor page does it (a key, then a code from it); the key is kept in <see cref="AuthenticatorKeys"/>.
    /// </summary>
    public async Task<AppUser> CreateUserAsync(int? tenantId, string email, UserRole role, int[]? schoolIds = null, int? organizationId = null) =>
        await InTenant(tenantId, async (sp, db) =>
        {
            var user = new AppUser
            {
                UserName = email, Email = email, EmailConfirmed = true, DisplayName = email.Split('@')[0], Role = role,
                TenantId = tenantId, ProviderOrganizationId = organizationId, CreatedAt = Time.GetUtcNow().UtcDateTime, ActivatedAt = Time.GetUtcNow().UtcDateTime,
            };
            var result = await sp.GetRequiredService<UserManager<AppUser>>().CreateAsync(user, Password);
            Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(e => e.Description)));
            foreach (var schoolId in schoolIds ?? [])
                db.CoordinatorSchools.Add(new CoordinatorSchool { UserId = user.Id, SchoolId = schoolId });
            await db.SaveChangesAsync();
            if (role is UserRole.Admin or UserRole.Operator)
                await EnrollTwoFactorAsync(sp, user);
            return user;
        });

    /// <summary>Enrols a user in two-factor sign-in through the app's own service, as the two-factor page does.</summary>
    public async Task EnrollTwoFactorAsync(IServiceProvider sp, AppUser user)
    {
        var twoFactor = sp.GetRequiredService<SuccessPlans.Features.Accounts.TwoFactorService>();
        var key = (await twoFactor.SetupAsync(user)).SharedKey;
        var enabled = await twoFactor.EnableAsync(user, Totp.Code(key));
        Assert.True(enabled.Succeeded, enabled.Error);
        AuthenticatorKeys[user.Email!] = key;
    }

    /// <summary>A browser signed in as the given user through the real sign-in form, and the second-factor form when asked.</summary>
    public async Task<HttpClient> SignedInAsync(string email, string password = Password)
    {
        var client = Browser();
        var response = await client.SubmitFormAsync("/Account/Login", new() { ["Input.Email"] = email, ["Input.Password"] = password });
        Assert.Equal(System.Net.HttpStatusCode.Redirect, response.StatusCode);
        if (response.Headers.Location?.OriginalString.Contains("/Account/LoginWith2fa", StringComparison.Ordinal) == true)
        {
            // The demo seeder enrols the demo's Admin and operator with its documented demo key.
            var key = AuthenticatorKeys.GetValueOrDefault(email)
                ?? (Settings.GetValueOrDefault("Demo:Enabled") == "true" ? SuccessPlans.Features.Seeding.DemoSeeder.AuthenticatorKey : null);
            Assert.True(key is not null, $"{email} needs a second factor this factory did not enrol");
            response = await client.SubmitFormAsync(response.Headers.Location.OriginalString, new() { ["Code"] = Totp.Code(key!) });
            Assert.Equal(System.Net.HttpStatusCode.Redirect, response.StatusCode);
        }
        return client;
    }

    /// <summary>The app listens before the demo is seeded; a test starts once it is ready, as a user would wait.</summary>
    protected override IHost CreateHost(IHostBuilder builder)
    {
        var host = base.CreateHost(builder);
        var preparation = host.Services.GetRequiredService<SuccessPlans.Web.Hosting.DemoPreparation>().Completion;
        if (!preparation.Wait(TimeSpan.FromMinutes(5)))
            throw new TimeoutException("The demo was not ready within 5 minutes.");
        return host;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
