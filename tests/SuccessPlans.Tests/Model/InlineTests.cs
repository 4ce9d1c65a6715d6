using System.Linq.Expressions;
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

        [InlinedFrom(nameof(LoopOf))]
        public static IQueryable<int> Loop(IQueryable<int> numbers) => throw Inline.OnlyInExpand();

        private static readonly Expression<Func<IQueryable<int>, IQueryable<int>>> LoopOf = numbers => Loop(numbers.Skip(1));

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
    public void A_rule_in_a_rules_argument_is_put_in_place_too_and_a_rule_that_uses_itself_is_refused()
    {
        Expression<Func<IQueryable<int>, IQueryable<int>>> nested = numbers => Rules.Small(Rules.Small(numbers, 8), 5);
        var expanded = Inline.Expand(nested);
        Assert.DoesNotContain(Calls(expanded), c => c.Method.DeclaringType == typeof(Rules));
        Assert.Equal([0, 1, 2, 3, 4], expanded.Compile()(Enumerable.Range(0, 10).AsQueryable()).ToList());

        Expression<Func<IQueryable<int>, IQueryable<int>>> loop = numbers => Rules.Loop(numbers);
        var e = Assert.Throws<InvalidOperationException>(() => Inline.Expand(loop));
        Assert.Contains("uses itself", e.Message);
    }

    [Fact]
    public void A_mark_that_names_no_expression_says_so()
    {
        Expression<Func<IQueryable<int>, IQueryable<int>>> query = numbers => Rules.Broken(numbers);
        var e = Assert.Throws<InvalidOperationException>(() => Inline.Expand(query));
        Assert.Contains("NoSuchField", e.Message);
    }
}
