using System.Linq.Expressions;
using System.Reflection;
using Microsoft.EntityFrameworkCore.Query;

namespace SuccessPlans.Data;

/// <summary>
/// Marks a static method that stands for a part of a query written once as an expression (a rule such as
/// StudentScope.InSchools): <see cref="Inline.Expand{T}"/> puts that expression, the static field named here, in place of
/// a call to the method.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class InlinedFromAttribute(string field) : Attribute
{
    public string Field { get; } = field;
}

/// <summary>
/// EF compiles a query (EF.CompileAsyncQuery) only from one expression tree whose inputs are its lambda's parameters; a
/// call in it to a method that composes a query is no part of any tree EF can read. <see cref="Expand{T}"/> replaces each
/// call to a method marked <see cref="InlinedFromAttribute"/> with that method's expression applied to the call's
/// arguments, so several compiled queries (and a method's other callers) share one text of a rule (issue 15: EF's walk
/// and look-up of a composed query's tree at every request was 5-9% of a page's CPU). It runs once, where a compiled
/// query is built. An argument that the expression uses twice is put in twice (it is a query, not a value).
/// </summary>
public static class Inline
{
    public static Expression<T> Expand<T>(Expression<T> query) => (Expression<T>)new Expander().Visit(query);

    /// <summary>The body of a marked method that only <see cref="Expand{T}"/> reads (no caller runs it).</summary>
    public static InvalidOperationException OnlyInExpand() => new("This method stands for an expression: it is used only inside a query given to Inline.Expand.");

    private sealed class Expander : ExpressionVisitor
    {
        // The rules being put in place just now: a rule that uses itself would never end.
        private readonly HashSet<FieldInfo> _expanding = [];

        protected override Expression VisitMethodCall(MethodCallExpression node)
        {
            if (node.Method.GetCustomAttribute<InlinedFromAttribute>() is not { } from) return base.VisitMethodCall(node);
            var method = node.Method;
            var name = $"{method.DeclaringType!.Name}.{method.Name}";
            if (!method.IsStatic || method.IsGenericMethod)
                throw new InvalidOperationException($"[InlinedFrom] on {name}: only a static, non-generic method can stand for an expression.");
            var field = method.DeclaringType.GetField(from.Field, BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)
                ?? throw new InvalidOperationException($"{method.DeclaringType.Name}.{from.Field}, named by [InlinedFrom] on {name}, is no static field.");
            // Null when the field is declared after the compiled query that reads it (fields are set in the order written).
            if (field.GetValue(null) is not LambdaExpression lambda)
                throw new InvalidOperationException($"{method.DeclaringType.Name}.{from.Field}, named by [InlinedFrom] on {name}, holds no expression yet: declare it before the queries that use it.");
            var parameters = method.GetParameters();
            if (lambda.Parameters.Count != parameters.Length || lambda.ReturnType != method.ReturnType
                || lambda.Parameters.Where((p, i) => p.Type != parameters[i].ParameterType).Any())
                throw new InvalidOperationException($"{method.DeclaringType.Name}.{from.Field} does not take the parameters or give the type of {name}.");
            // The arguments first (a call to the same rule in an argument is no loop).
            var arguments = node.Arguments.Select(Visit).ToList();
            if (!_expanding.Add(field))
                throw new InvalidOperationException($"{name} uses itself: its expression cannot be put in place.");
            var body = lambda.Body;
            for (var i = 0; i < lambda.Parameters.Count; i++)
                body = ReplacingExpressionVisitor.Replace(lambda.Parameters[i], arguments[i]!, body);
            // The expression may call other such methods.
            var expanded = Visit(body);
            _expanding.Remove(field);
            return expanded;
        }
    }
}
