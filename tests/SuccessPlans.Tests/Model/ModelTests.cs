using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;
using SuccessPlans.Data;
using SuccessPlans.Tenancy;

namespace SuccessPlans.Tests.Model;

/// <summary>
/// What SQLite lets through and SQL Server rejects, checked on the model without a server,
/// and the tenancy rules every entity must follow.
/// </summary>
public class ModelTests
{
    private static AppDbContext Context(DatabaseProvider provider) => AppDbContext.Create(DesignTimeDbContextFactory.Options(provider), new CurrentTenant());

    [Fact]
    public void Sql_server_model_has_no_multiple_cascade_paths_or_cycles()
    {
        using var db = Context(DatabaseProvider.SqlServer);
        var problems = CascadeProblems(db.Model.GetRelationalModel());
        Assert.Empty(problems);
    }

    /// <summary>SQL Server refuses a table reachable by two cascading paths from another, or a cascading cycle.</summary>
    public static List<string> CascadeProblems(IRelationalModel model)
    {
        var edges = model.Tables
            .SelectMany(t => t.ForeignKeyConstraints)
            .Where(fk => fk.OnDeleteAction is ReferentialAction.Cascade or ReferentialAction.SetNull or ReferentialAction.SetDefault)
            .GroupBy(fk => fk.PrincipalTable.Name)
            .ToDictionary(g => g.Key, g => g.Select(fk => fk.Table.Name).ToList());
        var problems = new List<string>();
        foreach (var start in edges.Keys)
        {
            var pathCounts = new Dictionary<string, int>();
            void Walk(string table, HashSet<string> onPath)
            {
                foreach (var next in edges.GetValueOrDefault(table) ?? [])
                {
                    if (!onPath.Add(next)) { problems.Add($"cascade cycle through {next}"); continue; }
                    pathCounts[next] = pathCounts.GetValueOrDefault(next) + 1;
                    Walk(next, onPath);
                    onPath.Remove(next);
                }
            }
            Walk(start, [start]);
            problems.AddRange(pathCounts.Where(p => p.Value > 1).Select(p => $"{p.Value} cascade paths from {start} to {p.Key}"));
        }
        return problems;
    }

    [Fact]
    public void Cascade_check_catches_two_paths()
    {
        // The check above must be able to fail: a model with two cascading paths A->C and A->B->C.
        var options = new DbContextOptionsBuilder<TwoPaths>().UseSqlServer("Server=x").Options;
        using var db = new TwoPaths(options);
        Assert.Contains(CascadeProblems(db.Model.GetRelationalModel()), p => p.Contains("2 cascade paths"));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.SqlServer)]
    public void No_pending_model_changes(DatabaseProvider provider)
    {
        using var db = Context(provider);
        Assert.False(db.Database.HasPendingModelChanges(), $"The {provider} migrations are behind the model: run infra/scripts/migrations.sh add <Name>.");
    }

    [Fact]
    public void Every_tenant_owned_entity_has_the_named_tenant_filter()
    {
        using var db = Context(DatabaseProvider.Sqlite);
        var tenantOwned = db.Model.GetEntityTypes().Where(e => typeof(ITenantOwned).IsAssignableFrom(e.ClrType)).ToList();
        Assert.NotEmpty(tenantOwned);
        foreach (var entity in tenantOwned)
        {
            Assert.Contains(entity.GetDeclaredQueryFilters(), f => f.Key == AppDbContext.TenantFilter);
            var property = entity.FindProperty(nameof(ITenantOwned.TenantId))!;
            Assert.False(property.IsNullable, $"{entity.ClrType.Name}.TenantId must be required");
            Assert.True(property.PropertyInfo!.SetMethod is null or { IsPrivate: true }, $"{entity.ClrType.Name}.TenantId must have a private setter");
        }
        // Every entity of the model is filtered somehow: tenant-owned ones by TenantId, the rest by their own rule.
        foreach (var entity in db.Model.GetEntityTypes())
            Assert.True(entity.GetDeclaredQueryFilters().Any(f => f.Key == AppDbContext.TenantFilter), $"{entity.ClrType.Name} has no tenant filter");
    }

    [Fact]
    public void Unique_indexes_of_tenant_owned_entities_include_the_tenant()
    {
        using var db = Context(DatabaseProvider.SqlServer);
        foreach (var entity in db.Model.GetEntityTypes().Where(e => typeof(ITenantOwned).IsAssignableFrom(e.ClrType)))
            foreach (var index in entity.GetIndexes().Where(i => i.IsUnique))
                Assert.Contains(index.Properties, p => p.Name == nameof(ITenantOwned.TenantId));
    }

    [Fact]
    public void Every_indexed_string_has_a_max_length()
    {
        using var db = Context(DatabaseProvider.SqlServer);
        var unbounded = db.Model.GetEntityTypes()
            .SelectMany(e => e.GetIndexes().SelectMany(i => i.Properties).Concat(e.GetKeys().SelectMany(k => k.Properties)))
            .Where(p => p.ClrType == typeof(string) && p.GetMaxLength() is null)
            .Select(p => $"{p.DeclaringType.ClrType.Name}.{p.Name}")
            .Distinct()
            .ToList();
        Assert.Empty(unbounded);
    }

    [Fact]
    public void The_sql_server_script_in_infra_is_current()
    {
        using var db = Context(DatabaseProvider.SqlServer);
        var script = db.GetService<IMigrator>().GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent);
        var path = Path.Combine(RepositoryRoot(), "infra", "sql", "successplans-sqlserver.sql");
        Assert.True(File.Exists(path), "infra/sql/successplans-sqlserver.sql is missing: run infra/scripts/migrations.sh script");
        Assert.Equal(Normalize(script), Normalize(File.ReadAllText(path)));
    }

    private static string Normalize(string s) => s.Replace("\r\n", "\n").Trim();

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SuccessPlans.sln")))
                return dir.FullName;
        throw new InvalidOperationException("SuccessPlans.sln not found above the test binaries");
    }

    private sealed class TwoPaths(DbContextOptions<TwoPaths> options) : DbContext(options)
    {
        public sealed class A { public int Id { get; set; } }
        public sealed class B { public int Id { get; set; } public int AId { get; set; } }
        public sealed class C { public int Id { get; set; } public int AId { get; set; } public int BId { get; set; } }

        protected override void OnModelCreating(ModelBuilder b)
        {
            b.Entity<B>().HasOne<A>().WithMany().HasForeignKey(x => x.AId).OnDelete(DeleteBehavior.Cascade);
            b.Entity<C>().HasOne<A>().WithMany().HasForeignKey(x => x.AId).OnDelete(DeleteBehavior.Cascade);
            b.Entity<C>().HasOne<B>().WithMany().HasForeignKey(x => x.BId).OnDelete(DeleteBehavior.Cascade);
        }
    }
}
