using System.Linq.Expressions;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;

namespace SuccessPlans.Data;

/// <summary>
/// Marks a method that composes a query (a rule written once, such as StudentScope.InSchools) whose own expression, the
/// static field named here, <see cref="Inline.Expand{T}"/> puts in place of a call to it.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class InlinedFromAttribute(string field) : Attribute
{
    public string Field { get; } = field;
}

/// <summary>
/// EF compiles a query (<see cref="EF.CompileAsyncQuery{TContext, TParam1, TResult}(Expression{Func{TContext, TParam1, IQueryable{TResult}}})"/>)
/// only from one expression tree whose inputs are its lambda's parameters; a call in it to a method that composes a query
/// is no part of any tree EF can read. <see cref="Expand{T}"/> replaces each call to a method marked
/// <see cref="InlinedFromAttribute"/> with that method's expression applied to the call's arguments, so a compiled query
/// and every other caller share one text of the rule (issue 15: EF's look-up of a composed query's tree at every request
/// was 5-9% of a page's CPU).
/// </summary>
public static class Inline
{
    public static Expression<T> Expand<T>(Expression<T> query) => (Expression<T>)new Expander().Visit(query);

    private static readonly MethodInfo ParameterMethod = typeof(EF).GetMethod(nameof(EF.Parameter))!;

    private sealed class Expander : ExpressionVisitor
    {
        protected override Expression VisitMethodCall(MethodCallExpression node)
        {
            if (node.Method.IsGenericMethod && node.Method.GetGenericMethodDefinition() == ParameterMethod)
            {
                // EF.Parameter(x) asks EF to send x as one parameter; EF refuses it on a compiled query's own parameter.
                var argument = Visit(node.Arguments[0]);
                return argument is ParameterExpression ? argument : node.Update(null, [argument]);
            }
            if (node.Method.GetCustomAttribute<InlinedFromAttribute>() is not { } from) return base.VisitMethodCall(node);
            var field = node.Method.DeclaringType!.GetField(from.Field, BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)
                ?? throw new InvalidOperationException($"{node.Method.DeclaringType.Name}.{from.Field}, named by [InlinedFrom] on {node.Method.Name}, is no static field.");
            var lambda = (LambdaExpression)field.GetValue(null)!;
            if (lambda.Parameters.Count != node.Arguments.Count)
                throw new InvalidOperationException($"{node.Method.DeclaringType.Name}.{from.Field} does not take the arguments of {node.Method.Name}.");
            var body = lambda.Body;
            for (var i = 0; i < lambda.Parameters.Count; i++)
                body = ReplacingExpressionVisitor.Replace(lambda.Parameters[i], node.Arguments[i], body);
            // The inlined expression may call other such methods.
            return Visit(body);
        }
    }
}
