using System.Text.RegularExpressions;
using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace SuccessPlans.Tests.Model;

/// <summary>SQL Server's own T-SQL parser (ScriptDom, SQL Server 2022 syntax): checks SQL without a server.</summary>
public static partial class TSql
{
    /// <summary>The parse errors of one script, each as "line:column message"; empty when it parses.</summary>
    /// <remarks>The SQL inside EXEC(N'...') (EF's idempotent script wraps some statements so) is parsed too.</remarks>
    public static List<string> Errors(string sql, string what)
    {
        var parser = new TSql160Parser(initialQuotedIdentifiers: true);
        using var reader = new StringReader(sql);
        var fragment = parser.Parse(reader, out var errors);
        var found = errors.Select(e => $"{what} {e.Line}:{e.Column} {e.Message}").ToList();
        if (found.Count == 0)
        {
            var dynamic = new DynamicSql();
            fragment.Accept(dynamic);
            found.AddRange(dynamic.Found.SelectMany(d => Errors(d.Sql, $"{what} EXEC at line {d.Line}:")));
        }
        return found;
    }

    /// <summary>The literal SQL of every EXEC('...').</summary>
    private sealed class DynamicSql : TSqlFragmentVisitor
    {
        public List<(string Sql, int Line)> Found { get; } = [];

        public override void Visit(ExecutableStringList node)
        {
            if (node.Strings.All(s => s is StringLiteral))
                Found.Add((string.Concat(node.Strings.Cast<StringLiteral>().Select(s => s.Value)), node.StartLine));
        }
    }

    /// <summary>
    /// Statements of one batch that name a column the same batch adds (ALTER TABLE ... ADD), outside EXEC: SQL Server
    /// compiles a batch whole before running it, so such a statement fails with "Invalid column name" (error 207) on
    /// a database the column is not in yet, although it parses. EF's idempotent script puts each migration in one batch.
    /// </summary>
    public static List<string> ColumnsUsedBeforeAdded(string batch, string what)
    {
        var fragment = Parse(batch);
        var added = new AddedColumns();
        fragment.Accept(added);
        return DataStatementsNaming(fragment, added.Names)
            .Select(f => $"{what} line {f.Line}: {f.Statement} names the column [{f.Column}] its batch adds: wrap it in EXEC(N'...')").ToList();
    }

    /// <summary>
    /// Statements that name a column a later step of the script drops or renames (its own batch's later steps included),
    /// outside EXEC: run again on a database that is up to date (the script is idempotent, and is run at every release),
    /// SQL Server compiles every batch, the skipped ones too, and such a statement fails with error 207. By name: a
    /// column of the same name on another table counts too, which errs on the safe side.
    /// </summary>
    public static List<string> ColumnsUsedThenRemoved(IReadOnlyList<string> batches, string what)
    {
        var fragments = batches.Select(Parse).ToList();
        var removedFrom = fragments.Select(f => { var r = new RemovedColumns(); f.Accept(r); return r.Names; }).ToList();
        return fragments.SelectMany((fragment, i) => DataStatementsNaming(fragment, removedFrom.Skip(i).SelectMany(n => n).ToHashSet(StringComparer.OrdinalIgnoreCase))
                .Select(f => $"{what} batch {i + 1} line {f.Line}: {f.Statement} names the column [{f.Column}], dropped or renamed at or after it: wrap it in EXEC(N'...')"))
            .ToList();
    }

    private static TSqlFragment Parse(string sql) => new TSql160Parser(initialQuotedIdentifiers: true).Parse(new StringReader(sql), out _);

    /// <summary>
    /// The statements that read or write data (outside EXEC, whose text is not parsed here) naming one of the columns,
    /// each column once a statement.
    /// </summary>
    private static IEnumerable<(int Line, string Statement, string Column)> DataStatementsNaming(TSqlFragment fragment, IReadOnlySet<string> columns)
    {
        if (columns.Count == 0) yield break;
        foreach (var statement in StatementsOf(fragment).Where(s => s is UpdateStatement or InsertStatement or DeleteStatement or MergeStatement or SelectStatement))
        {
            var named = new ColumnReferences();
            statement.Accept(named);
            foreach (var column in named.Names.Where(columns.Contains).Distinct(StringComparer.OrdinalIgnoreCase))
                yield return (statement.StartLine, statement.GetType().Name, column);
        }
    }

    private sealed class RemovedColumns : TSqlFragmentVisitor
    {
        public HashSet<string> Names { get; } = new(StringComparer.OrdinalIgnoreCase);

        public override void Visit(AlterTableDropTableElementStatement node)
        {
            foreach (var element in node.AlterTableDropTableElements)
                if (element.TableElementType == TableElementType.Column) Names.Add(element.Name.Value);
        }

        // EF renames a column with EXEC sp_rename N'[Table].[Column]', N'New', 'COLUMN'.
        public override void Visit(ExecuteStatement node)
        {
            if (node.ExecuteSpecification?.ExecutableEntity is ExecutableProcedureReference { ProcedureReference.ProcedureReference.Name.BaseIdentifier.Value: var name } procedure
                && string.Equals(name, "sp_rename", StringComparison.OrdinalIgnoreCase)
                && procedure.Parameters.Count == 3 && procedure.Parameters[2].ParameterValue is StringLiteral { Value: var kind } && string.Equals(kind, "COLUMN", StringComparison.OrdinalIgnoreCase)
                && procedure.Parameters[0].ParameterValue is StringLiteral { Value: var old })
                Names.Add(old[(old.LastIndexOf('.') + 1)..].Trim('[', ']'));
        }
    }

    /// <summary>Every statement of a fragment, those inside IF ... BEGIN ... END included (EXEC's text is not parsed here).</summary>
    private static IEnumerable<TSqlStatement> StatementsOf(TSqlFragment fragment)
    {
        var all = new AllStatements();
        fragment.Accept(all);
        return all.Found;
    }

    private sealed class AllStatements : TSqlFragmentVisitor
    {
        public List<TSqlStatement> Found { get; } = [];
        public override void Visit(TSqlStatement node) => Found.Add(node);
    }

    private sealed class AddedColumns : TSqlFragmentVisitor
    {
        public HashSet<string> Names { get; } = new(StringComparer.OrdinalIgnoreCase);
        public override void Visit(AlterTableAddTableElementStatement node)
        {
            foreach (var column in node.Definition.ColumnDefinitions) Names.Add(column.ColumnIdentifier.Value);
        }
    }

    private sealed class ColumnReferences : TSqlFragmentVisitor
    {
        public List<string> Names { get; } = [];
        public override void Visit(ColumnReferenceExpression node)
        {
            if (node.MultiPartIdentifier?.Identifiers is { Count: > 0 } parts) Names.Add(parts[^1].Value);
        }
    }

    /// <summary>
    /// The batches of a script as sqlcmd and SSMS send them: split on lines holding only GO. (The parser itself would
    /// accept GO, but a batch-level rule such as CREATE PROCEDURE first in its batch is only right when split.)
    /// </summary>
    public static List<string> Batches(string script) => GoLine().Split(script).Where(b => b.Trim().Length > 0).ToList();

    /// <summary>Every error of every batch of a script.</summary>
    public static List<string> ScriptErrors(string script, string what) =>
        Batches(script).SelectMany((b, i) => Errors(b, $"{what} batch {i + 1}")).ToList();

    [GeneratedRegex(@"^\s*GO\s*$", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex GoLine();
}
