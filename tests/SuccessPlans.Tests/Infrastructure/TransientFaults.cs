using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace SuccessPlans.Tests.Infrastructure;

/// <summary>What a dropped connection or a failover looks like to the app: an error worth retrying.</summary>
public sealed class TransientFault(string sql) : DbException($"Injected transient fault before: {sql[..Math.Min(sql.Length, 80)]}");

/// <summary>
/// SQL Server's retrying strategy, on SQLite: retries <see cref="TransientFault"/> (with no delay), and like it refuses a
/// transaction opened outside <c>CreateExecutionStrategy().ExecuteAsync</c>. Every test host uses it, so any code
/// that opens a transaction the way SQL Server would refuse fails its tests.
/// </summary>
public sealed class RetryingSqliteStrategy(ExecutionStrategyDependencies dependencies)
    : ExecutionStrategy(dependencies, maxRetryCount: 3, maxRetryDelay: TimeSpan.FromMilliseconds(1))
{
    protected override bool ShouldRetryOn(Exception exception) => exception is TransientFault;

    protected override TimeSpan? GetNextDelay(Exception lastException) => base.GetNextDelay(lastException) is null ? null : TimeSpan.Zero;
}

/// <summary>Throws a <see cref="TransientFault"/> instead of running the next commands whose SQL contains a marker.</summary>
public sealed class TransientFaults : DbCommandInterceptor
{
    private readonly Lock _lock = new();
    private string? _marker;
    private int _left;

    /// <summary>How many faults were thrown since the last <see cref="Next"/>.</summary>
    public int Thrown { get; private set; }

    /// <summary>Fails the next <paramref name="times"/> commands containing <paramref name="sqlMarker"/> (for example <c>INSERT INTO "Flags"</c>).</summary>
    public void Next(string sqlMarker, int times = 1)
    {
        lock (_lock) { _marker = sqlMarker; _left = times; Thrown = 0; }
    }

    private List<string>? _recorded;

    /// <summary>Keeps the SQL of every command from now on (what a page runs), until <see cref="Recorded"/>.</summary>
    public void Record()
    {
        lock (_lock) _recorded = [];
    }

    /// <summary>The commands since <see cref="Record"/>, and stops recording.</summary>
    public IReadOnlyList<string> Recorded()
    {
        lock (_lock) { var recorded = _recorded ?? []; _recorded = null; return recorded; }
    }

    private List<(string Sql, IReadOnlyList<string> Plan)>? _plans;

    /// <summary>Keeps how SQLite plans every query from now on (EXPLAIN QUERY PLAN with the query's parameters), until <see cref="RecordedPlans"/>.</summary>
    public void RecordPlans()
    {
        lock (_lock) _plans = [];
    }

    /// <summary>Each query since <see cref="RecordPlans"/> with its plan's lines, and stops recording.</summary>
    public IReadOnlyList<(string Sql, IReadOnlyList<string> Plan)> RecordedPlans()
    {
        lock (_lock) { var plans = _plans ?? []; _plans = null; return plans; }
    }

    private void MaybeExplain(DbCommand command)
    {
        lock (_lock) if (_plans is null) return;
        using var explain = command.Connection!.CreateCommand();
        explain.Transaction = command.Transaction;
        explain.CommandText = "EXPLAIN QUERY PLAN " + command.CommandText;
        foreach (DbParameter p in command.Parameters)
        {
            var copy = explain.CreateParameter();
            copy.ParameterName = p.ParameterName;
            copy.Value = p.Value;
            explain.Parameters.Add(copy);
        }
        var lines = new List<string>();
        using (var reader = explain.ExecuteReader())
            while (reader.Read()) lines.Add(reader.GetString(3));
        lock (_lock) _plans?.Add((command.CommandText, lines));
    }

    private void MaybeFail(DbCommand command)
    {
        lock (_lock)
        {
            _recorded?.Add(command.CommandText);
            if (_left == 0 || _marker is null || !command.CommandText.Contains(_marker, StringComparison.Ordinal)) return;
            _left--;
            Thrown++;
        }
        throw new TransientFault(command.CommandText);
    }

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    { MaybeFail(command); MaybeExplain(command); return result; }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    { MaybeFail(command); MaybeExplain(command); return ValueTask.FromResult(result); }

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    { MaybeFail(command); return result; }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    { MaybeFail(command); return ValueTask.FromResult(result); }

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    { MaybeFail(command); return result; }

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
    { MaybeFail(command); return ValueTask.FromResult(result); }

    /// <summary>Gives SQLite the retrying strategy and these faults.</summary>
    public void Configure(DbContextOptionsBuilder options)
    {
        new Microsoft.EntityFrameworkCore.Infrastructure.SqliteDbContextOptionsBuilder(options).ExecutionStrategy(d => new RetryingSqliteStrategy(d));
        options.AddInterceptors(this);
    }
}
