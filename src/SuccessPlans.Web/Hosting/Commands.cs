using Microsoft.AspNetCore.Identity;
using SuccessPlans.Features.Seeding;
using SuccessPlans.Features.Users;
using SuccessPlans.Web.Features.Tenants;

namespace SuccessPlans.Web.Hosting;

/// <summary>
/// Operator commands, run with the app's own configuration:
///   dotnet run --project src/SuccessPlans.Web -- create-operator --email E --password P
///   dotnet run --project src/SuccessPlans.Web -- create-tenant --name N --slug S --time-zone TZ --admin-email E --admin-name A
///   dotnet run --project src/SuccessPlans.Web -- generate-demo --students N [--seed 2026] [--out DIR]
/// </summary>
public static class Commands
{
    private static readonly string[] Names = ["create-operator", "create-tenant", "generate-demo"];

    public static bool IsCommand(string[] args) => args.Length > 0 && Names.Contains(args[0]);

    public static async Task<int> RunAsync(WebApplication app, string[] args)
    {
        var options = Options(args);
        try
        {
            return args[0] switch
            {
                "create-operator" => await CreateOperatorAsync(app.Services, Require(options, "email"), Require(options, "password")),
                "create-tenant" => await CreateTenantAsync(app.Services, options),
                _ => GenerateDemo(options),
            };
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
    }

    private static int GenerateDemo(Dictionary<string, string> options)
    {
        var students = int.TryParse(options.GetValueOrDefault("students", "300"), out var n) && n > 0 ? n : throw new ArgumentException("--students must be a positive number.");
        var seed = int.TryParse(options.GetValueOrDefault("seed", "2026"), out var s) ? s : throw new ArgumentException("--seed must be a number.");
        var output = Path.GetFullPath(options.GetValueOrDefault("out", Path.Combine("seed-data", "generated")));
        var started = System.Diagnostics.Stopwatch.StartNew();
        var result = DemoDataGenerator.Write(output, students, seed);
        Console.WriteLine($"Wrote {result.Students} students in {result.Schools} schools, {result.Organizations} provider organizations and {result.Services} services to {output} in {started.Elapsed.TotalSeconds:0.0} s.");
        return 0;
    }

    private static async Task<int> CreateOperatorAsync(IServiceProvider services, string email, string password)
    {
        await using var scope = services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var user = new AppUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = "Platform operator", Role = UserRole.Operator, CreatedAt = DateTime.UtcNow, ActivatedAt = DateTime.UtcNow };
        var result = await users.CreateAsync(user, password);
        if (!result.Succeeded)
        {
            Console.Error.WriteLine(string.Join(Environment.NewLine, result.Errors.Select(e => e.Description)));
            return 1;
        }
        Console.WriteLine($"Created the platform operator {email}.");
        return 0;
    }

    private static async Task<int> CreateTenantAsync(IServiceProvider services, Dictionary<string, string> o)
    {
        await using var scope = services.CreateAsyncScope();
        var (tenant, errors) = await scope.ServiceProvider.GetRequiredService<TenantProvisioning>().CreateAsync(
            new TenantProvisioning.Request(o.GetValueOrDefault("name", ""), o.GetValueOrDefault("slug", ""), o.GetValueOrDefault("time-zone", "America/New_York"),
                o.GetValueOrDefault("admin-email", ""), o.GetValueOrDefault("admin-name", "")),
            CancellationToken.None);
        if (tenant is null)
        {
            foreach (var (field, message) in errors) Console.Error.WriteLine($"{field}: {message}");
            return 1;
        }
        Console.WriteLine($"Created tenant {tenant.Name} ({tenant.Slug}). The first Admin's invitation is in the outbox and goes out with the next outbox run.");
        return 0;
    }

    private static Dictionary<string, string> Options(string[] args)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 1; i < args.Length - 1; i++)
            if (args[i].StartsWith("--", StringComparison.Ordinal))
                result[args[i][2..]] = args[++i];
        return result;
    }

    private static string Require(Dictionary<string, string> o, string name) =>
        o.TryGetValue(name, out var v) && v.Length > 0 ? v : throw new ArgumentException($"--{name} is required.");
}
