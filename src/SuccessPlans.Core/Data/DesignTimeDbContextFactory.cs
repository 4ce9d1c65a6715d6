using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using SuccessPlans.Tenancy;

namespace SuccessPlans.Data;

/// <summary>
/// Lets `dotnet ef` build the model for either provider without starting the app or reaching a server:
/// `dotnet ef ... -- --provider SqlServer` (see infra/scripts/migrations.sh).
/// </summary>
public sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<AppDbContext>
{
    public AppDbContext CreateDbContext(string[] args)
    {
        var i = Array.IndexOf(args, "--provider");
        var provider = i >= 0 && i + 1 < args.Length ? args[i + 1] : "Sqlite";
        return AppDbContext.Create(Options(Enum.Parse<DatabaseProvider>(provider, ignoreCase: true)), new CurrentTenant());
    }

    public static DbContextOptions<AppDbContext> Options(DatabaseProvider provider)
    {
        var builder = new DbContextOptionsBuilder<AppDbContext>();
        // Placeholder connection strings: design-time work (migrations, scripts, model checks) never connects.
        var settings = provider == DatabaseProvider.SqlServer
            ? new DatabaseSettings(provider, "Server=localhost;Database=SuccessPlans;Integrated Security=true;TrustServerCertificate=true", false)
            : new DatabaseSettings(provider, "Data Source=design-time.db", false);
        settings.Configure(builder);
        return builder.Options;
    }
}
