#pragma warning disable EF1001 // EF's SQL generator factory, counted here
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;
using Microsoft.EntityFrameworkCore.Sqlite.Query.Internal;
using SuccessPlans.Data;
using SuccessPlans.Features.Flags;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Students;
using SuccessPlans.Tenancy;
using SuccessPlans.Tests.Infrastructure;
using SuccessPlans.Web.Features.Review;

namespace SuccessPlans.Tests.Model;

/// <summary>
/// The pages' compiled queries (issue 15): a list in one makes its SQL once, and one compiled for a tenant reads the next
/// context's tenant, never the first one's.
/// </summary>
public class CompiledQueryTests : IAsyncLifetime
{
    private readonly AppFactory _app = new(new DateTimeOffset(2026, 11, 16, 17, 0, 0, TimeSpan.Zero));
    private int _a, _b, _schoolA, _schoolB;

    public async Task InitializeAsync()
    {
        _a = (await _app.CreateTenantAsync("compiled-a")).Id;
        _b = (await _app.CreateTenantAsync("compiled-b")).Id;
        _schoolA = (await _app.CreateSchoolAsync(_a, "A School")).Id;
        _schoolB = (await _app.CreateSchoolAsync(_b, "B School")).Id;
        var now = _app.Time.GetUtcNow().UtcDateTime;
        await _app.InTenant(_a, async (_, db) =>
        {
            Caseloads.AddChildrenAwaitingAnswers(db, _schoolA, 3, now.AddDays(-30));
            // Not walked: a withdrawn child of the same grade.
            db.Students.Add(new Student { SchoolId = _schoolA, GivenName = "Gone", FamilyName = "Ash", Grade = "03", Status = StudentStatus.Withdrawn });
            await db.SaveChangesAsync();
        });
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task The_worklist_and_the_walk_compiled_for_one_tenant_find_nothing_of_it_for_another_even_with_its_school_ids()
    {
        var now = _app.Time.GetUtcNow().UtcDateTime;
        // Tenant A first: the compiled queries run (and are compiled) for A.
        var a = await _app.InTenant(_a, (sp, db) => Worklist.PageAsync(db, sp.GetRequiredService<TenantReadCache>(), [_schoolA], 7, 21, now, new WorklistQuery(), CancellationToken.None));
        Assert.Equal(3, a.FollowUpCount);
        Assert.Equal(3, a.FollowUps.Count);
        // Tenant B with A's school id: the tenant's query filter, read from B's context, keeps A's rows out.
        var b = await _app.InTenant(_b, (sp, db) => Worklist.PageAsync(db, sp.GetRequiredService<TenantReadCache>(), [_schoolA], 7, 21, now, new WorklistQuery(), CancellationToken.None));
        Assert.Equal(0, b.FollowUpCount);
        Assert.Empty(b.FollowUps);

        var grade = (Delegate)typeof(WalkModel).GetField("GradeWalk", BindingFlags.Static | BindingFlags.NonPublic)!.GetValue(null)!;
        async Task<List<int>> Walk(int tenant, int school) => await _app.InTenant(tenant, async (_, db) =>
        {
            var ids = new List<int>();
            await foreach (var row in (IAsyncEnumerable<WalkModel.WalkRow>)grade.DynamicInvoke(db, (IReadOnlyList<int>)[school], school, "03", 2026, Term.Fall)!)
                ids.Add(row.Id);
            return ids;
        });
        Assert.Equal(3, (await Walk(_a, _schoolA)).Count); // the withdrawn child is not walked
        Assert.Empty(await Walk(_b, _schoolA));
        Assert.Empty(await Walk(_a, _schoolB));
        Assert.Equal(3, (await Walk(_a, _schoolA)).Count);
    }

    private sealed class CountingSqlGenerators(QuerySqlGeneratorDependencies dependencies) : SqliteQuerySqlGeneratorFactory(dependencies)
    {
        public static int Count;

        public override QuerySqlGenerator Create()
        {
            Interlocked.Increment(ref Count);
            return base.Create();
        }
    }

    /// <summary>
    /// EF Core 10 would send a list as a parameter per value and then generate the query's SQL again at every execution,
    /// compiled or not; the app's options send it as one parameter (DatabaseSettings.Configure).
    /// </summary>
    [Fact]
    public async Task A_query_with_a_list_of_ids_makes_its_SQL_once_compiled_or_not()
    {
        var file = Path.Combine(Path.GetTempPath(), $"successplans-compiled-{Guid.NewGuid():N}.db");
        try
        {
            var options = new DbContextOptionsBuilder<AppDbContext>();
            new DatabaseSettings(DatabaseProvider.Sqlite, $"Data Source={file};Pooling=false", false).Configure(options);
            options.ReplaceService<IQuerySqlGeneratorFactory, CountingSqlGenerators>();
            var tenant = new CurrentTenant();
            tenant.Set(1);
            await using var db = AppDbContext.Create(options.Options, tenant);
            await db.Database.EnsureCreatedAsync();

            // A compiled query of its own: the app's are bound to the model of the first context that ran them, and this
            // context's services (the counting generator) make another model.
            var messages = EF.CompileAsyncQuery((AppDbContext c, int[] ids) => c.ReferralMessages.AsNoTracking().Where(m => ids.Contains(m.ReferralId)));
            var before = CountingSqlGenerators.Count;
            for (var i = 0; i < 5; i++)
                await foreach (var _ in messages(db, [1, 2, 3 + i])) { }
            Assert.Equal(1, CountingSqlGenerators.Count - before);

            before = CountingSqlGenerators.Count;
            for (var i = 0; i < 5; i++)
                await StudentScope.InSchools(db, [1, 2, 3 + i]).Select(s => s.Id).ToListAsync();
            Assert.Equal(1, CountingSqlGenerators.Count - before);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
