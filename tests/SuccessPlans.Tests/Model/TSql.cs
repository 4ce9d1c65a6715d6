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
