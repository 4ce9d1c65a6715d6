using System.Globalization;
using System.Linq.Expressions;

namespace SuccessPlans.Features.Schools;

/// <summary>
/// Grades in school order (PK, KG, 1 … 12, then anything else), whatever the roster's spelling ("01" or "1", "K" or
/// "KG"). One key for memory (<see cref="Order"/>, <see cref="Comparer"/>) and the same key as a SQL CASE expression
/// (<see cref="OrderByGrade{T}"/>), so SQLite and SQL Server sort as the page does.
/// </summary>
public static class Grades
{
    private const int Unknown = 99;

    // Every spelling OneRoster files use for the same grade; upper case, as rosters write them.
    private static readonly (int Order, string[] Spellings)[] Table =
    [
        (-2, ["IT", "PR"]),
        (-1, ["PK", "TK", "P"]),
        (0, ["KG", "K", "00", "0"]),
        .. Enumerable.Range(1, 13).Select(n => (n, new[] { n.ToString(CultureInfo.InvariantCulture), n.ToString("00", CultureInfo.InvariantCulture) }.Distinct().ToArray())),
    ];

    private static readonly Dictionary<string, int> Orders = Table
        .SelectMany(t => t.Spellings.Select(s => (s, t.Order)))
        .ToDictionary(x => x.s, x => x.Order, StringComparer.OrdinalIgnoreCase);

    /// <summary>The grade's place in school order; unknown spellings come after grade 13.</summary>
    public static int Order(string? grade) => grade is not null && Orders.TryGetValue(grade.Trim(), out var order) ? order : Unknown;

    /// <summary>Compares grades in school order, then by spelling so the order is total.</summary>
    public static IComparer<string?> Comparer { get; } = Comparer<string?>.Create((a, b) =>
    {
        var byOrder = Order(a).CompareTo(Order(b));
        return byOrder != 0 ? byOrder : string.CompareOrdinal(a, b);
    });

    /// <summary>Sorts a query by a grade in school order, translated to a CASE expression (then by the spelling).</summary>
    public static IOrderedQueryable<T> OrderByGrade<T>(this IQueryable<T> source, Expression<Func<T, string?>> grade) =>
        source.OrderBy(OrderKey(grade)).ThenBy(grade);

    /// <summary>The school-order key of a grade column as an expression EF translates (CASE WHEN grade IN (...) THEN n ...).</summary>
    public static Expression<Func<T, int>> OrderKey<T>(Expression<Func<T, string?>> grade)
    {
        Expression body = Expression.Constant(Unknown);
        foreach (var (order, spellings) in Table.Reverse())
        {
            var test = spellings
                .SelectMany(s => s.Any(char.IsAsciiLetter) ? new[] { s, s.ToLowerInvariant() } : [s])
                .Select(s => (Expression)Expression.Equal(grade.Body, Expression.Constant(s, typeof(string))))
                .Aggregate(Expression.OrElse);
            body = Expression.Condition(test, Expression.Constant(order), body);
        }
        return Expression.Lambda<Func<T, int>>(body, grade.Parameters);
    }
}
