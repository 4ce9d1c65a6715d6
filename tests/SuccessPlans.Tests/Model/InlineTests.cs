using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using SuccessPlans.Data;

namespace SuccessPlans.Tests.Model;

/// <summary>
/// Inline.Expand puts a rule written once (a method marked [InlinedFrom] and its expression) into the one tree EF compiles,
/// so a compiled query and the method's other callers run the same text.
/// </summary>
public class InlineTests
{
    private static class Rules
    {
        [InlinedFrom(nameof(SmallOf))]
        public static IQueryable<int> Small(IQueryable<int> numbers, int limit) => SmallOf.Compile()(numbers, limit);

        private static readonly Expression<Func<IQueryable<int>, int, IQueryable<int>>> SmallOf = (numbers, limit) => numbers.Where(n => n < limit);

        // A rule made of another rule.
        [InlinedFrom(nameof(SmallEvenOf))]
        public static IQueryable<int> SmallEven(IQueryable<int> numbers, int limit) => SmallEvenOf.Compile()(numbers, limit);

        private static readonly Expression<Func<IQueryable<int>, int, IQueryable<int>>> SmallEvenOf = (numbers, limit) => Small(numbers, limit).Where(n => n % 2 == 0);

        [InlinedFrom("NoSuchField")]
        public static IQueryable<int> Broken(IQueryable<int> numbers) => numbers;
    }

    private static IEnumerable<MethodCallExpression> Calls(Expression e)
    {
        var calls = new List<MethodCallExpression>();
        new CallCollector(calls).Visit(e);
        return calls;
    }

    private sealed class CallCollector(List<MethodCallExpression> calls) : ExpressionVisitor
    {
        protected override Expression VisitMethodCall(MethodCallExpression node)
        {
            calls.Add(node);
            return base.VisitMethodCall(node);
        }
    }

    [Fact]
    public void A_marked_call_becomes_its_expression_with_the_calls_arguments_also_inside_another_rule()
    {
        Expression<Func<IQueryable<int>, int, IQueryable<int>>> query = (numbers, limit) => Rules.SmallEven(numbers, limit + 1).OrderBy(n => n);

        var expanded = Inline.Expand(query);

        Assert.DoesNotContain(Calls(expanded), c => c.Method.DeclaringType == typeof(Rules));
        Assert.Equal([0, 2, 4], expanded.Compile()(Enumerable.Range(0, 10).AsQueryable(), 4).ToList());
        // The same numbers as the rule's own method gives.
        Assert.Equal(query.Compile()(Enumerable.Range(0, 10).AsQueryable(), 4).ToList(), expanded.Compile()(Enumerable.Range(0, 10).AsQueryable(), 4).ToList());
    }

    [Fact]
    public void EF_Parameter_on_a_compiled_querys_own_parameter_is_dropped_and_kept_elsewhere()
    {
        // EF refuses EF.Parameter(x) when x is the compiled query's parameter; a compiled query sends it as a parameter anyway.
        Expression<Func<IQueryable<int>, int[], IQueryable<int>>> query = (numbers, ids) => numbers.Where(n => EF.Parameter(ids).Contains(n));
        var expanded = Inline.Expand(query);
        Assert.DoesNotContain(Calls(expanded), c => c.Method.Name == nameof(EF.Parameter));

        var kept = new[] { 1, 2 };
        Expression<Func<IQueryable<int>, IQueryable<int>>> captured = numbers => numbers.Where(n => EF.Parameter(kept).Contains(n));
        Assert.Contains(Calls(Inline.Expand(captured)), c => c.Method.Name == nameof(EF.Parameter));
    }

    [Fact]
    public void A_mark_that_names_no_expression_says_so()
    {
        Expression<Func<IQueryable<int>, IQueryable<int>>> query = numbers => Rules.Broken(numbers);
        var e = Assert.Throws<InvalidOperationException>(() => Inline.Expand(query));
        Assert.Contains("NoSuchField", e.Message);
    }
}
