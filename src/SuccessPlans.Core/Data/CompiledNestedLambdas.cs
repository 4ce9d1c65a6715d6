using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore.Query;
using Microsoft.EntityFrameworkCore.Storage;

namespace SuccessPlans.Data;

// EF's processor of a query's constants is public but marked for evaluation (EF9100): this class adds one step after it.
// CompiledNestedLambdasTests checks that the app's contexts use it, which lambdas the step makes once, and that queries
// with includes give the same rows; every query of the test suite runs through it.
#pragma warning disable EF9100

/// <summary>
/// The last step EF Core takes before it compiles a query's executor, with one more: each lambda inside the executor
/// that reads nothing around it (the shaper of the rows, the command's resolver, an include's fix-up) is compiled once,
/// here, and put in the tree as its delegate.
/// </summary>
/// <remarks>
/// Why (issue 15): since EF Core 9 those lambdas are written inline in the executor's expression (to serve precompiled
/// queries too), and a lambda nested in a compiled expression becomes a new delegate, by DynamicMethod.CreateDelegate,
/// each time the executor runs: 3% of the student page's CPU, with its dozen queries, in a perf profile (EF Core's issue
/// 35210 names the cost). A lambda that reads nothing around it makes the same delegate every time, so one made once
/// is the same. A lambda that reads a variable around it, a quoted one (an expression the code reads) and one invoked
/// where it stands (the compiler inlines it) are left as they are.
/// </remarks>
public sealed class CompiledNestedLambdas(ShapedQueryCompilingExpressionVisitorDependencies dependencies,
    RelationalShapedQueryCompilingExpressionVisitorDependencies relationalDependencies, RelationalCommandBuilderDependencies commandBuilderDependencies)
    : RelationalLiftableConstantProcessor(dependencies, relationalDependencies, commandBuilderDependencies)
{
    public override Expression InlineConstants(Expression expression, bool supportsPrecompiledQuery) =>
        Compile(base.InlineConstants(expression, supportsPrecompiledQuery));

    /// <summary>The executor <paramref name="expression"/> with each nested lambda that reads nothing around it as its delegate.</summary>
    public static Expression Compile(Expression expression) => new Nested(expression as LambdaExpression).Visit(expression);

    private sealed class Nested(LambdaExpression? root) : ExpressionVisitor
    {
        // A lambda hoisted is compiled as a root of its own, after its own nested lambdas (a shaper's include fix-ups).
        protected override Expression VisitLambda<T>(Expression<T> node) => node != root && !FreeVariables.In(node)
            ? Expression.Constant(((Expression<T>)new Nested(node).Visit(node)).Compile(), typeof(T))
            : base.VisitLambda(node);

        protected override Expression VisitUnary(UnaryExpression node) =>
            node.NodeType == ExpressionType.Quote ? node : base.VisitUnary(node);

        protected override Expression VisitInvocation(InvocationExpression node) => node.Expression is LambdaExpression inlined
            ? node.Update(Expression.Lambda(inlined.Type, Visit(inlined.Body), inlined.Name, inlined.TailCall, inlined.Parameters), Visit(node.Arguments))
            : base.VisitInvocation(node);
    }

    // Whether a lambda reads a parameter or variable that it does not declare itself (its own, its blocks', its catches',
    // its nested lambdas').
    private sealed class FreeVariables : ExpressionVisitor
    {
        private readonly HashSet<ParameterExpression> _declared = [];
        private bool _found;

        public static bool In(LambdaExpression lambda)
        {
            var visitor = new FreeVariables();
            visitor.Visit(lambda);
            return visitor._found;
        }

        protected override Expression VisitLambda<T>(Expression<T> node)
        {
            _declared.UnionWith(node.Parameters);
            return base.VisitLambda(node);
        }

        protected override Expression VisitBlock(BlockExpression node)
        {
            _declared.UnionWith(node.Variables);
            return base.VisitBlock(node);
        }

        protected override CatchBlock VisitCatchBlock(CatchBlock node)
        {
            if (node.Variable is not null) _declared.Add(node.Variable);
            return base.VisitCatchBlock(node);
        }

        protected override Expression VisitParameter(ParameterExpression node)
        {
            if (!_declared.Contains(node)) _found = true;
            return node;
        }
    }
}
