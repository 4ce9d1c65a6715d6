using System.Collections.Concurrent;
using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Caching.Memory;
using SuccessPlans.Data;

namespace SuccessPlans.Features.Students;

/// <summary>
/// Per-process store of the caseload's counts ("1,068 students"), per tenant, user's schools, filter and school year.
/// A count reads every child of the user's schools (10,000 for a district coordinator: 1-10 ms of SQL, several times
/// the rest of the page); the rows of a page stay a fresh query each time. Any write to the tables a count reads (students,
/// plans, needs, flags, indicators), by a save or by raw SQL, starts a new generation for its tenant at once
/// (<see cref="CaseloadCountsInvalidator"/>); another app process on the same database sees it after at most
/// <see cref="Lifetime"/>, as the user's schools (issue 15).
/// </summary>
public sealed class CaseloadCounts : IDisposable
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(10);

    /// <summary>Counts kept at most: a few hundred users' filters, a few bytes each.</summary>
    public const int Capacity = 10_000;

    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = Capacity });
    private readonly ConcurrentDictionary<int, long> _generations = new();
    // Moved by a write whose tenant is not known (a job over every tenant, a tenant's erasure): every count is old.
    private long _everyTenant;

    // Part of the key: a count that started before a write is stored under the old generation, never read again.
    internal sealed record Key(int TenantId, long Generation, long EveryTenant, string Schools, CaseloadFilter Filter, int SchoolYear);

    internal Key KeyFor(int tenantId, IReadOnlyList<int> schools, CaseloadFilter filter, int schoolYear) =>
        new(tenantId, _generations.GetValueOrDefault(tenantId), Interlocked.Read(ref _everyTenant),
            string.Join(',', schools.Order()), Normalized(filter), schoolYear);

    internal bool TryGet(Key key, out int count) => _cache.TryGetValue(key, out count);

    internal void Store(Key key, int count) =>
        _cache.Set(key, count, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = Lifetime });

    /// <summary>Every count of the tenant (null: of every tenant) is read afresh from now on.</summary>
    public void Evict(int? tenantId)
    {
        if (tenantId is { } id) _generations.AddOrUpdate(id, 1, (_, g) => g + 1);
        else Interlocked.Increment(ref _everyTenant);
    }

    /// <summary>How many counts are kept now (tests).</summary>
    public int Count => _cache.Count;

    // The sort and the page do not change a count; a blank search or grade is no filter.
    private static CaseloadFilter Normalized(CaseloadFilter f) => f with
    {
        Sort = null,
        Q = string.IsNullOrWhiteSpace(f.Q) ? null : f.Q.Trim(),
        Grade = string.IsNullOrEmpty(f.Grade) ? null : f.Grade,
        Plan = string.IsNullOrEmpty(f.Plan) ? null : f.Plan,
    };

    public void Dispose() => _cache.Dispose();
}

/// <summary>
/// Retires the caseload's counts of a tenant whenever a command writes to a table they read, whoever sends it: EF's
/// saves, and the raw SQL of the nightly check, the imports, the indicator refresh and erasure (one place, so the next
/// writer cannot forget it). It evicts before the command, after it, and again when its transaction commits: a count read
/// in between, from the data before the commit, is stored under a generation that is already old.
/// </summary>
public sealed partial class CaseloadCountsInvalidator(CaseloadCounts counts) : DbCommandInterceptor, IDbTransactionInterceptor
{
    // The tables the caseload's count reads (Caseload.Filtered); a trigger's writes to them would need naming here, and
    // today's triggers only keep ReferralState and the cabinet's version, which no count reads.
    [GeneratedRegex("""\b(INSERT|UPDATE|DELETE|REPLACE|MERGE)\b""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Writes();

    [GeneratedRegex("""\b(Students|Plans|PlanItems|Flags|StudentIndicators)\b""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex CountedTables();

    // EF reuses one string per command shape, so each text is classified once.
    private readonly ConditionalWeakTable<string, object> _classified = new();
    private static readonly object Yes = new(), No = new();
    // The transactions that wrote to a counted table, evicted again at their commit.
    private readonly ConditionalWeakTable<DbTransaction, object> _writing = new();

    internal static bool IsCountedWrite(string sql) => Writes().IsMatch(sql) && CountedTables().IsMatch(sql);

    private bool Watched(DbCommand command)
    {
        var sql = command.CommandText;
        if (string.IsNullOrEmpty(sql)) return false;
        return _classified.GetValue(sql, s => IsCountedWrite(s) ? Yes : No) == Yes;
    }

    private void After(DbCommand command, DbContext? context)
    {
        if (Watched(command)) counts.Evict(TenantOf(context));
    }

    private static int? TenantOf(DbContext? context) => (context as AppDbContext)?.CurrentTenantId;

    public override DbCommand CommandInitialized(CommandEndEventData eventData, DbCommand result)
    {
        if (Watched(result))
        {
            counts.Evict(TenantOf(eventData.Context));
            if (result.Transaction is { } transaction) _writing.AddOrUpdate(transaction, Yes);
        }
        return result;
    }

    public override int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        After(command, eventData.Context);
        return result;
    }

    public override ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        After(command, eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override object? ScalarExecuted(DbCommand command, CommandExecutedEventData eventData, object? result)
    {
        After(command, eventData.Context);
        return result;
    }

    public override ValueTask<object?> ScalarExecutedAsync(DbCommand command, CommandExecutedEventData eventData, object? result, CancellationToken cancellationToken = default)
    {
        After(command, eventData.Context);
        return ValueTask.FromResult(result);
    }

    // A save's INSERT ... RETURNING is a reader: its rows are written by the time it is disposed.
    public override InterceptionResult DataReaderDisposing(DbCommand command, DataReaderDisposingEventData eventData, InterceptionResult result)
    {
        After(command, eventData.Context);
        return result;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData)
    {
        if (_writing.TryGetValue(transaction, out _)) counts.Evict(TenantOf(eventData.Context));
    }

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionCommitted(transaction, eventData);
        return Task.CompletedTask;
    }
}
