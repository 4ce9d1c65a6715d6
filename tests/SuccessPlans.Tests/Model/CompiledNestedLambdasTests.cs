using System.Linq.Expressions;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Query;
using SuccessPlans.Data;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Students;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Model;

/// <summary>
/// A query's executor makes its inner delegates once (<see cref="CompiledNestedLambdas"/>, issue 15): a nested lambda
/// that reads nothing around it becomes its delegate, and only such a lambda; the app's contexts use it, and a query
/// run again, for another tenant, gives its own rows with their includes.
/// </summary>
public class CompiledNestedLambdasTests : IAsyncLifetime
{
    private readonly AppFactory _app = new();
    private int _a, _b;

    public async Task InitializeAsync()
    {
        _a = (await _app.CreateTenantAsync("lambdas-a")).Id;
        _b = (await _app.CreateTenantAsync("lambdas-b")).Id;
        foreach (var (tenant, school, child, need) in new[] { (_a, "Alder School", "Ada", "Glasses"), (_b, "Birch School", "Bea", "Tutoring") })
        {
            var schoolId = (await _app.CreateSchoolAsync(tenant, school)).Id;
            await _app.InTenant(tenant, async (_, db) =>
            {
                var student = new Student { SchoolId = schoolId, GivenName = child, FamilyName = "Tree", Grade = "03" };
                var plan = new SuccessPlan { Student = student, SchoolYear = 2026, Tier = 1 };
                plan.Items.Add(new PlanItem { Kind = PlanItemKind.Need, Status = NeedStatus.Open, Domain = Domain.Health, Description = need, IdentifiedOn = new DateOnly(2026, 11, 2) });
                db.Plans.Add(plan);
                await db.SaveChangesAsync();
            });
        }
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task The_apps_contexts_make_their_executors_with_it()
    {
#pragma warning disable EF9100 // the service CompiledNestedLambdas replaces is marked for evaluation
        var processor = await _app.InTenant(_a, (_, db) => Task.FromResult<object>(db.GetService<ILiftableConstantProcessor>()));
#pragma warning restore EF9100
        Assert.IsType<CompiledNestedLambdas>(processor);
    }

    [Fact]
    public async Task A_query_with_includes_run_again_for_another_tenant_gives_its_own_rows()
    {
        // The same query shape twice (one executor, its inner delegates shared): each run fixes up its own includes.
        async Task<string> PlanOf(int tenant) => await _app.InTenant(tenant, async (_, db) =>
        {
            var plan = await db.Plans.AsNoTracking().Include(p => p.Student).ThenInclude(s => s.School).Include(p => p.Items).SingleAsync();
            return $"{plan.Student.GivenName} {plan.Student.School.Name} {string.Join(",", plan.Items.Select(i => i.Description))}";
        });
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("Ada Alder School Glasses", await PlanOf(_a));
            Assert.Equal("Bea Birch School Tutoring", await PlanOf(_b));
        }
    }

    private static readonly MethodInfo ApplyMethod = typeof(CompiledNestedLambdasTests).GetMethod(nameof(Apply), BindingFlags.NonPublic | BindingFlags.Static)!;

    private static int Apply(Func<int, int> f, int x) => f(x);

    [Fact]
    public void A_lambda_that_reads_nothing_around_it_becomes_its_delegate_and_gives_the_same()
    {
        // x => Apply(y => { var z = y * 2; return z + 1; }, x)
        var x = Expression.Parameter(typeof(int), "x");
        var y = Expression.Parameter(typeof(int), "y");
        var z = Expression.Variable(typeof(int), "z");
        var inner = Expression.Lambda<Func<int, int>>(
            Expression.Block([z], Expression.Assign(z, Expression.Multiply(y, Expression.Constant(2))), Expression.Add(z, Expression.Constant(1))), y);
        var root = Expression.Lambda<Func<int, int>>(Expression.Call(ApplyMethod, inner, x), x);

        var compiled = (Expression<Func<int, int>>)CompiledNestedLambdas.Compile(root);

        var argument = Assert.IsAssignableFrom<MethodCallExpression>(compiled.Body).Arguments[0];
        Assert.Equal(ExpressionType.Constant, argument.NodeType);
        Assert.IsType<Func<int, int>>(((ConstantExpression)argument).Value, exactMatch: false);
        Assert.Equal(root.Compile()(20), compiled.Compile()(20));
        Assert.Equal(41, compiled.Compile()(20));
    }

    [Fact]
    public void A_lambda_inside_one_made_once_is_made_once_too_so_a_run_makes_no_delegate()
    {
        // x => Apply(y => Apply(z => z * 2, y) + 1, x): the shaper and a fix-up inside it, as EF writes them.
        var x = Expression.Parameter(typeof(int), "x");
        var y = Expression.Parameter(typeof(int), "y");
        var z = Expression.Parameter(typeof(int), "z");
        var inside = Expression.Lambda<Func<int, int>>(Expression.Multiply(z, Expression.Constant(2)), z);
        var outer = Expression.Lambda<Func<int, int>>(Expression.Add(Expression.Call(ApplyMethod, inside, y), Expression.Constant(1)), y);
        var root = Expression.Lambda<Func<int, int>>(Expression.Call(ApplyMethod, outer, x), x);

        var run = ((Expression<Func<int, int>>)CompiledNestedLambdas.Compile(root)).Compile();
        var asWritten = root.Compile();
        Assert.Equal((41, 41), (run(20), asWritten(20)));

        // A delegate made at a run is an allocation; the lambdas made once allocate nothing.
        static long AllocatedBy(Func<int, int> f)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 100; i++) f(i);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Assert.Equal(0, AllocatedBy(run));
        Assert.NotEqual(0, AllocatedBy(asWritten));
    }

    [Fact]
    public void A_lambda_that_reads_a_variable_around_it_a_quoted_one_and_an_inlined_one_stay_as_they_are()
    {
        var x = Expression.Parameter(typeof(int), "x");
        var y = Expression.Parameter(typeof(int), "y");
        // Reads x, the root's parameter.
        var reading = Expression.Lambda<Func<int, int>>(Expression.Add(y, x), y);
        // Reads nothing around it, but quoted: an expression the code reads.
        var quoted = Expression.Quote(Expression.Lambda<Func<int, int>>(Expression.Negate(y), y));
        // Reads nothing around it, but invoked where it stands: the compiler inlines it.
        var invoked = Expression.Invoke(Expression.Lambda<Func<int, int>>(Expression.Multiply(y, y), y), x);
        var root = Expression.Lambda<Func<int, object>>(
            Expression.NewArrayInit(typeof(object), Expression.Convert(Expression.Call(ApplyMethod, reading, x), typeof(object)), quoted,
                Expression.Convert(invoked, typeof(object))), x);

        var compiled = (Expression<Func<int, object>>)CompiledNestedLambdas.Compile(root);

        var items = Assert.IsAssignableFrom<NewArrayExpression>(compiled.Body).Expressions;
        Assert.Equal(ExpressionType.Lambda, ((MethodCallExpression)((UnaryExpression)items[0]).Operand).Arguments[0].NodeType);
        Assert.Equal(ExpressionType.Quote, items[1].NodeType);
        Assert.Equal(ExpressionType.Lambda, ((InvocationExpression)((UnaryExpression)items[2]).Operand).Expression.NodeType);
        var values = (object[])compiled.Compile()(3);
        Assert.Equal((6, 9), ((int)values[0], (int)values[2]));
    }
}
