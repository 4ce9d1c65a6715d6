using System.Data.Common;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace SuccessPlans.Data;

/// <summary>
/// SQLite: a query's LIMIT goes to SQLite as a number written in the SQL, not as a parameter, so the planner knows how
/// many rows are wanted without reading a bound value (it reads none: <see cref="SqlitePragmas"/>' planner stability
/// guarantee).
/// </summary>
/// <remarks>
/// EF writes every Take as a parameter, Take(50) too ("LIMIT @p"). SQLite's planner uses a LIMIT's value to choose between
/// walking an index in the ORDER BY's order and stopping once it has the rows wanted, or reading every match and sorting
/// them (the caseload's page of 50 in name order: CaseloadQueryPlanTests). To read a bound value it marks the statement
/// to be prepared again whenever that parameter is bound again: every paged query was parsed and planned at every run,
/// although <see cref="SqliteStatements"/> kept it prepared (issue 15, 2026-12-05). With the number in the SQL, each
/// page size is a statement of its own, prepared once and planned for that size. Only "LIMIT @name" with an integer value
/// is written out; the parameter stays bound for an OFFSET that shares it. EF's SQL carries values as parameters, so the
/// pattern never meets a LIMIT inside a string literal.
/// </remarks>
public sealed partial class SqliteLimits : DbCommandInterceptor
{
    [GeneratedRegex(@"\bLIMIT (@[A-Za-z_][A-Za-z0-9_]*)\b", RegexOptions.CultureInvariant)]
    private static partial Regex LimitParameter();

    /// <summary>Writes the value of each LIMIT parameter of the command into its SQL.</summary>
    public static void Inline(DbCommand command)
    {
        var sql = command.CommandText;
        if (sql is null) return;
        var shape = Shapes.GetValue(sql, ShapeOf);
        if (shape.Limits.Length == 0) return;
        // The usual query: one LIMIT. Its text with each value it was run with is kept, so a paged query finds its SQL
        // without a regex and a new copy of the text at every run (2% of a small page's allocations, issue 15).
        if (shape.Limits.Length == 1 && ValueOf(command, shape.Limits[0]) is { } rows)
        {
            if (shape.ByRows.TryGetValue(rows, out var kept))
            {
                command.CommandText = kept;
                return;
            }
            var written = Written(command, sql);
            if (shape.ByRows.Count < MaxKeptRowCounts) shape.ByRows.TryAdd(rows, written);
            command.CommandText = written;
            return;
        }
        command.CommandText = Written(command, sql);
    }

    private static string Written(DbCommand command, string sql) =>
        LimitParameter().Replace(sql, m => ValueOf(command, m.Groups[1].Value) is { } rows ? "LIMIT " + rows.ToString(CultureInfo.InvariantCulture) : m.Value);

    // What a command text asks: its LIMIT parameters, found once. EF keeps one text for each query shape, so the text's
    // own instance is the key (by reference: no hashing of the text); a text no longer used goes with it.
    private sealed class Shape(string[] limits)
    {
        public string[] Limits { get; } = limits;
        public System.Collections.Concurrent.ConcurrentDictionary<long, string> ByRows { get; } = new();
    }

    private static readonly Shape NoLimit = new([]);
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<string, Shape> Shapes = new();
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<string, Shape>.CreateValueCallback ShapeOf = sql =>
        sql.Contains("LIMIT @", StringComparison.Ordinal) ? new Shape([.. LimitParameter().Matches(sql).Select(m => m.Groups[1].Value)]) : NoLimit;

    // Page sizes are few (25, 50, 100); a text run with more values writes the rest out each time.
    private const int MaxKeptRowCounts = 32;

    private static long? ValueOf(DbCommand command, string name)
    {
        foreach (DbParameter p in command.Parameters)
            if (p.ParameterName == name || "@" + p.ParameterName == name)
                return p.Value switch { int i => i, long l => l, short s => s, _ => null };
        return null;
    }

    // Every kind of command EF sends, before it runs (and before SqliteStatements looks up the statement by its SQL).
    private static T Inlined<T>(DbCommand command, T result)
    {
        Inline(command);
        return result;
    }

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result) =>
        Inlined(command, result);

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default) => ValueTask.FromResult(Inlined(command, result));

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result) =>
        Inlined(command, result);

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<object> result, CancellationToken cancellationToken = default) => ValueTask.FromResult(Inlined(command, result));

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result) =>
        Inlined(command, result);

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<int> result, CancellationToken cancellationToken = default) => ValueTask.FromResult(Inlined(command, result));
}
