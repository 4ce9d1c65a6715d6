using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;

namespace SuccessPlans.Data;

public enum DatabaseProvider { Sqlite, SqlServer }

/// <summary>Which database the app runs on, read and checked once at start (section "Database").</summary>
public sealed record DatabaseSettings(DatabaseProvider Provider, string ConnectionString, bool MigrateOnStart)
{
    public const string SqliteMigrationsAssembly = "SuccessPlans.Migrations.Sqlite";
    public const string SqlServerMigrationsAssembly = "SuccessPlans.Migrations.SqlServer";

    /// <summary>Reads Database:Provider and the matching connection string; a bad value is one clear line.</summary>
    public static DatabaseSettings From(IConfiguration config, string contentRoot)
    {
        var providerName = config["Database:Provider"];
        if (string.IsNullOrWhiteSpace(providerName))
            providerName = nameof(DatabaseProvider.Sqlite);
        if (!Enum.TryParse<DatabaseProvider>(providerName, ignoreCase: true, out var provider) || !Enum.IsDefined(provider))
            throw new StartupException($"Database:Provider '{providerName}' is not known: set it to Sqlite or SqlServer.");

        if (provider == DatabaseProvider.SqlServer)
        {
            var cs = config.GetConnectionString("SqlServer");
            if (string.IsNullOrWhiteSpace(cs))
                throw new StartupException("Database:Provider is SqlServer but ConnectionStrings:SqlServer is empty: set ConnectionStrings__SqlServer to your SQL Server connection string.");
            try { _ = new SqlConnectionStringBuilder(cs); }
            catch (Exception e) when (e is ArgumentException or FormatException or KeyNotFoundException)
            {
                throw new StartupException($"ConnectionStrings:SqlServer is not a valid SQL Server connection string ({e.Message}).");
            }
            return new DatabaseSettings(provider, cs, config.GetValue("Database:MigrateOnStart", false))
            {
                MaxRetryCount = config.GetValue("Database:MaxRetryCount", DefaultMaxRetryCount),
                MaxRetryDelay = TimeSpan.FromSeconds(config.GetValue("Database:MaxRetryDelaySeconds", DefaultMaxRetryDelay.TotalSeconds)),
                CompatibilityLevel = config.GetValue("Database:CompatibilityLevel", DefaultCompatibilityLevel),
                ThreadSafetyChecks = ThreadSafetyChecksOf(config),
            };
        }

        var sqlite = config.GetConnectionString("Sqlite");
        if (string.IsNullOrWhiteSpace(sqlite))
        {
            var dataDir = Path.GetFullPath(Path.Combine(contentRoot, config["Database:DataDirectory"] ?? "data"));
            sqlite = $"Data Source={Path.Combine(dataDir, "successplans.db")}";
        }
        return new DatabaseSettings(provider, sqlite, config.GetValue("Database:MigrateOnStart", true))
        {
            SqliteCacheKiB = config.GetValue("Database:SqliteCacheKiB", SqlitePragmas.DefaultCacheKiB),
            ThreadSafetyChecks = ThreadSafetyChecksOf(config),
        };
    }

    private static bool ThreadSafetyChecksOf(IConfiguration config) => config.GetValue("Database:ThreadSafetyChecks", false);

    public const int DefaultMaxRetryCount = 6;
    public static readonly TimeSpan DefaultMaxRetryDelay = TimeSpan.FromSeconds(30);

    /// <summary>SQL Server 2022 and Azure SQL Database: the SQL EF writes (OPENJSON, JSON functions...) is chosen for it.</summary>
    public const int DefaultCompatibilityLevel = 160;

    /// <summary>SQL Server: how often a transient error (failover, throttling, a dropped connection) is retried.</summary>
    public int MaxRetryCount { get; init; } = DefaultMaxRetryCount;
    public TimeSpan MaxRetryDelay { get; init; } = DefaultMaxRetryDelay;
    public int CompatibilityLevel { get; init; } = DefaultCompatibilityLevel;
    /// <summary>SQLite: the page cache of each pooled connection, KiB (<see cref="SqlitePragmas"/> says why it is small).</summary>
    public int SqliteCacheKiB { get; init; } = SqlitePragmas.DefaultCacheKiB;

    /// <summary>
    /// EF Core's check that no two operations use one context at once (Database:ThreadSafetyChecks): on in development
    /// (appsettings.Development.json) and in every test, off in production.
    /// </summary>
    /// <remarks>
    /// A development aid, which EF's documentation allows turning off where the code is known not to share a context:
    /// here each request, job and command has its own context from the pool, and its queries are awaited one at a
    /// time. Its cost (issue 15): it sets an async-local counter twice for every row a query reads, and each set copies
    /// the request's map of async-local values. On the district's worklist this was an eighth of the bytes a request
    /// allocated (324 KB a request against 265 KB with it off).
    /// </remarks>
    public bool ThreadSafetyChecks { get; init; }

    public void Configure(DbContextOptionsBuilder options)
    {
        // A list of values in a query (a user's schools, a page's ids) goes as ONE parameter: json_each on SQLite, OPENJSON
        // on SQL Server. EF Core 10's default writes one parameter per value, and then generates the query's SQL again at
        // every execution (its SQL cache is off for such a query), compiled queries included: about 6% of a caseload
        // request's CPU (issue 15). One parameter keeps one SQL text per query.
        if (Provider == DatabaseProvider.SqlServer)
            options.UseSqlServer(ConnectionString, o => o.MigrationsAssembly(SqlServerMigrationsAssembly)
                // Every query and SaveChanges is retried as a whole; hand-opened transactions go through Transactions.InTransactionAsync.
                .EnableRetryOnFailure(MaxRetryCount, MaxRetryDelay, errorNumbersToAdd: null)
                .UseCompatibilityLevel(CompatibilityLevel)
                .UseParameterizedCollectionMode(ParameterTranslationMode.Parameter));
        else
            options.UseSqlite(ConnectionString, o => o.MigrationsAssembly(SqliteMigrationsAssembly)
                    .UseParameterizedCollectionMode(ParameterTranslationMode.Parameter))
                .AddInterceptors(new SqlitePragmas(SqliteCacheKiB), new SqliteLimits());
        // Each query's executor makes its inner delegates once, not at every execution (issue 15).
#pragma warning disable EF9100 // EF's service of a query's constants is marked for evaluation: CompiledNestedLambdas says why it is replaced
        options.ReplaceService<Microsoft.EntityFrameworkCore.Query.ILiftableConstantProcessor, CompiledNestedLambdas>();
#pragma warning restore EF9100
        options.EnableThreadSafetyChecks(ThreadSafetyChecks);
    }

    /// <summary>The SQLite file's folder must exist before the first connection.</summary>
    public void EnsureDataDirectory()
    {
        if (Provider != DatabaseProvider.Sqlite)
            return;
        var file = new SqliteConnectionStringBuilder(ConnectionString).DataSource;
        var dir = Path.GetDirectoryName(Path.GetFullPath(file));
        if (!string.IsNullOrEmpty(dir))
            System.IO.Directory.CreateDirectory(dir);
    }
}

/// <summary>A configuration or environment problem that stops the app with one line saying what to set.</summary>
public sealed class StartupException(string message, Exception? inner = null) : Exception(message, inner);
