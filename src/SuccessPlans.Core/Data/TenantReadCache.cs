using System.Collections.Concurrent;
using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;

namespace SuccessPlans.Data;

/// <summary>
/// Per-process store of what a page reads over a whole scope of children and keeps until a write: the caseload's counts
/// ("1,068 students", <see cref="Features.Students.Caseload"/>), the worklist's follow-ups and open flags in their
/// order (<see cref="Features.Flags.Worklist"/>), the review walk's children and who is reviewed this term, and each
/// user's count of unread referral updates (the navigation's marker, on every page). The first two read every child of
/// the user's schools (10,000 for a district coordinator: milliseconds of SQL, several times the rest of the page). Any
/// write to the tables they read, by a save or by raw SQL, starts a new generation for its tenant at once
/// (<see cref="TenantReadCacheInvalidator"/>); another app process on the same database sees it after at most
/// <see cref="Lifetime"/>, as the user's schools, unless the key also carries the tenant's <see cref="DataVersion"/>,
/// as the worklist's and the caseload's do: they keep the rows of the pages they show too, and another process's
/// write shows at their next request (issue 15).
/// </summary>
/// <remarks>
/// An entry is read afresh by one request, not by every request at work at that moment: past <see cref="RefreshAfter"/>
/// the first request to ask is told it is not kept (and stores what it reads), while the others keep being given the
/// entry until it is replaced or reaches <see cref="Lifetime"/>. When every request at work read the district's worklist
/// lists again at once, each 10 s, the CPU they took stalled the node for tens of milliseconds (issue 15's p99).
/// </remarks>
public sealed class TenantReadCache(TimeProvider time) : IDisposable
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(10);

    /// <summary>The age from which one request reads an entry afresh while the others are still given it.</summary>
    public static readonly TimeSpan RefreshAfter = TimeSpan.FromSeconds(8);

    /// <summary>Size kept at most: a count is 1, a list of ids 1 per 256 ids; a few hundred users' views.</summary>
    public const int Capacity = 10_000;

    /// <summary>The size of a kept page of 50 rows (10-20 KB): the worklist's and the caseload's.</summary>
    public const int PageOfRowsSize = 16;

    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = Capacity });
    private readonly ConcurrentDictionary<int, long> _generations = new();
    // Moved by a write whose tenant is not known (a job over every tenant, a tenant's erasure): everything is old.
    private long _everyTenant;

    /// <summary>
    /// The tenant's data as of now; part of every key. Taken before any read: a write while the read runs retires what
    /// is stored under it, which is never read again.
    /// </summary>
    public readonly record struct Stamp(int TenantId, long Generation, long EveryTenant);

    public Stamp StampOf(int tenantId) => new(tenantId, _generations.GetValueOrDefault(tenantId), Interlocked.Read(ref _everyTenant));

    /// <summary>
    /// The value kept under the key: false when there is none, when it is older than <see cref="Lifetime"/>, and for the
    /// one caller that is to read it afresh once it is older than <see cref="RefreshAfter"/>.
    /// </summary>
    public bool TryGet<T>(object key, out T value)
    {
        if (_cache.TryGetValue(key, out var entry) && entry is Kept { Value: T typed } kept)
        {
            var age = time.GetElapsedTime(kept.StoredAt);
            if (age < RefreshAfter || (age < Lifetime && Interlocked.Exchange(ref kept.Refreshing, 1) == 1))
            {
                value = typed;
                return true;
            }
        }
        value = default!;
        return false;
    }

    // The cache's own expiry is the memory's backstop; the age that counts is the time provider's.
    public void Store(object key, object value, int size = 1) =>
        _cache.Set(key, new Kept(value, time.GetTimestamp()), new MemoryCacheEntryOptions { Size = Math.Max(1, size), AbsoluteExpirationRelativeToNow = Lifetime });

    private sealed class Kept(object value, long storedAt)
    {
        public readonly object Value = value;
        public readonly long StoredAt = storedAt;
        // 1 once a caller was sent to read it afresh.
        public int Refreshing;
    }

    /// <summary>Everything kept of the tenant (null: of every tenant) is read afresh from now on.</summary>
    public void Evict(int? tenantId)
    {
        if (tenantId is { } id) _generations.AddOrUpdate(id, 1, (_, g) => g + 1);
        else Interlocked.Increment(ref _everyTenant);
    }

    /// <summary>
    /// The rows a page read by the ids it keeps (SQL gives them in no order), put back in the kept order; an id whose row
    /// the query no longer returns (erased, or out of the filter since) is left out.
    /// </summary>
    public static IReadOnlyList<T> InKeptOrder<T>(IEnumerable<T> rows, int[] ids, Func<T, int> id) where T : class
    {
        // Each row put at its id's place: a page's few dozen ids are searched faster than a dictionary is built.
        var placed = new T?[ids.Length];
        var found = 0;
        foreach (var row in rows)
        {
            var at = Array.IndexOf(ids, id(row));
            if (at >= 0 && placed[at] is null)
            {
                placed[at] = row;
                found++;
            }
        }
        if (found == ids.Length) return placed!;
        var kept = new T[found];
        var next = 0;
        foreach (var row in placed)
            if (row is not null) kept[next++] = row;
        return kept;
    }

    /// <summary>How many entries are kept now (tests).</summary>
    public int Count => _cache.Count;

    public void Dispose() => _cache.Dispose();
}

/// <summary>
/// Retires what <see cref="TenantReadCache"/> keeps of a tenant whenever a command writes to a table it reads, whoever
/// sends it: EF's saves, and the raw SQL of the nightly check, the imports, the indicator refresh and erasure (one place,
/// so the next writer cannot forget it). It evicts before the command, after it, and again when its transaction commits:
/// a read in between, from the data before the commit, is stored under a generation that is already old. It also moves
/// the tenant's <see cref="DataVersion"/>, which other app processes on the database read: inside the writer's
/// transaction, just before it commits, or right after a write made outside one.
/// </summary>
public sealed partial class TenantReadCacheInvalidator(TenantReadCache cache, ILogger<TenantReadCacheInvalidator> logger)
    : DbCommandInterceptor, IDbTransactionInterceptor, ISaveChangesInterceptor
{
    // The tables the caseload's count and kept pages (Caseload), the worklist's lists and kept pages (Worklist: the
    // follow-ups show the service's and the organization's names, the caseload the school's), the review walk's list and
    // progress (WalkModel) and the unread updates' count (UnreadUpdates) read; a trigger's writes to
    // them would need naming here (today's keep PlanItems.ReferralState, written only with a write to Referrals or by
    // the nightly expiry's own UPDATE of PlanItems, which names it, and the cabinet's version, which nothing kept
    // reads).
    [GeneratedRegex("""\b(INSERT|UPDATE|DELETE|REPLACE|MERGE)\b""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Writes();

    [GeneratedRegex("""\b(Students|Plans|PlanItems|Flags|StudentIndicators|Referrals|ServiceDeliveries|ReferralUpdates|Reviews|ClassEnrollments|Schools|Services|ProviderOrganizations)\b""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex KeptTables();

    // EF reuses one string per command shape, so each text is classified once.
    private readonly ConditionalWeakTable<string, object> _classified = new();
    private static readonly object Yes = new(), No = new();
    // The transactions that wrote to a counted table, with the tenants written: evicted again at their commit, and their
    // tenants' versions moved just before it.
    private readonly ConditionalWeakTable<DbTransaction, Written> _writing = new();
    // The tenants a context wrote outside a transaction whose versions are not moved yet: a save's writes are readers
    // (INSERT ... RETURNING), still open on the connection when they are seen, so they are moved once the save is done.
    private readonly ConditionalWeakTable<DbContext, Written> _unversioned = new();

    private sealed class Written
    {
        private readonly HashSet<int> _tenants = [];

        public void Add(int tenant)
        {
            lock (_tenants) _tenants.Add(tenant);
        }

        public int[] Take()
        {
            lock (_tenants)
            {
                var taken = _tenants.ToArray();
                _tenants.Clear();
                return taken;
            }
        }
    }

    internal static bool IsWatchedWrite(string sql) => Writes().IsMatch(sql) && KeptTables().IsMatch(sql);

    private bool Watched(DbCommand command)
    {
        var sql = command.CommandText;
        if (string.IsNullOrEmpty(sql)) return false;
        return _classified.GetValue(sql, s => IsWatchedWrite(s) ? Yes : No) == Yes;
    }

    private void After(DbCommand command, DbContext? context)
    {
        if (Watched(command)) cache.Evict(TenantOf(context));
    }

    private static int? TenantOf(DbContext? context) => (context as AppDbContext)?.CurrentTenantId;

    public override DbCommand CommandInitialized(CommandEndEventData eventData, DbCommand result)
    {
        if (Watched(result))
        {
            var tenant = TenantOf(eventData.Context);
            cache.Evict(tenant);
            // A migration runs before anything is kept, and may run before the versions' table exists.
            if (eventData.CommandSource == CommandSource.Migrations) return result;
            var version = tenant ?? DataVersions.EveryTenant;
            if (result.Transaction is { } transaction) _writing.GetOrCreateValue(transaction).Add(version);
            else if (eventData.Context is { } context) _unversioned.GetOrCreateValue(context).Add(version);
        }
        return result;
    }

    public override int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        After(command, eventData.Context);
        if (command.Transaction is null && Watched(command)) MoveUnversionedAsync(eventData.Context, command.Connection, async: false).GetAwaiter().GetResult();
        return result;
    }

    public override async ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        After(command, eventData.Context);
        if (command.Transaction is null && Watched(command)) await MoveUnversionedAsync(eventData.Context, command.Connection, async: true);
        return result;
    }

    public override object? ScalarExecuted(DbCommand command, CommandExecutedEventData eventData, object? result)
    {
        After(command, eventData.Context);
        if (command.Transaction is null && Watched(command)) MoveUnversionedAsync(eventData.Context, command.Connection, async: false).GetAwaiter().GetResult();
        return result;
    }

    public override async ValueTask<object?> ScalarExecutedAsync(DbCommand command, CommandExecutedEventData eventData, object? result, CancellationToken cancellationToken = default)
    {
        After(command, eventData.Context);
        if (command.Transaction is null && Watched(command)) await MoveUnversionedAsync(eventData.Context, command.Connection, async: true);
        return result;
    }

    // A save's INSERT ... RETURNING is a reader: its rows are written by the time it is disposed.
    public override InterceptionResult DataReaderDisposing(DbCommand command, DataReaderDisposingEventData eventData, InterceptionResult result)
    {
        After(command, eventData.Context);
        return result;
    }

    // The writes of a save outside a transaction: the save is done, its readers closed.
    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        MoveUnversionedAsync(eventData.Context, null, async: false).GetAwaiter().GetResult();
        return result;
    }

    public async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        await MoveUnversionedAsync(eventData.Context, null, async: true);
        return result;
    }

    // A failed save wrote nothing of what failed; what it did write before is moved all the same.
    public void SaveChangesFailed(DbContextErrorEventData eventData) =>
        MoveUnversionedAsync(eventData.Context, null, async: false).GetAwaiter().GetResult();

    public Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default) =>
        MoveUnversionedAsync(eventData.Context, null, async: true);

    /// <summary>
    /// Moves the versions of what the context wrote outside a transaction, on <paramref name="connection"/> (free once its
    /// command is done) or the context's own. The write is committed already: a move that fails is logged, not thrown,
    /// and other processes see the write when what they keep reaches <see cref="TenantReadCache.Lifetime"/>. Not cancelled
    /// with the request: the write it follows is done.
    /// </summary>
    private async Task MoveUnversionedAsync(DbContext? context, DbConnection? connection, bool async)
    {
        var ct = CancellationToken.None;
        if (context is null || !_unversioned.TryGetValue(context, out var written)) return;
        var tenants = written.Take();
        if (tenants.Length == 0) return;
        try
        {
            if (connection is not null)
            {
                await DataVersions.MoveAsync(connection, null, tenants, async, ct);
                return;
            }
            if (async) await context.Database.OpenConnectionAsync(ct);
            else context.Database.OpenConnection();
            try
            {
                await DataVersions.MoveAsync(context.Database.GetDbConnection(), null, tenants, async, ct);
            }
            finally
            {
                if (async) await context.Database.CloseConnectionAsync();
                else context.Database.CloseConnection();
            }
        }
        catch (DbException e)
        {
            logger.LogWarning(e, "The data version of tenants {Tenants} was not moved after a write; other app processes show it within {Lifetime}",
                tenants, TenantReadCache.Lifetime);
        }
    }

    // Inside the writer's transaction, so the version moves with the write or not at all.
    public InterceptionResult TransactionCommitting(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result)
    {
        if (_writing.TryGetValue(transaction, out var written) && written.Take() is { Length: > 0 } tenants)
            DataVersions.MoveAsync(transaction.Connection!, transaction, tenants, async: false, default).GetAwaiter().GetResult();
        return result;
    }

    public async ValueTask<InterceptionResult> TransactionCommittingAsync(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result,
        CancellationToken cancellationToken = default)
    {
        if (_writing.TryGetValue(transaction, out var written) && written.Take() is { Length: > 0 } tenants)
            await DataVersions.MoveAsync(transaction.Connection!, transaction, tenants, async: true, cancellationToken);
        return result;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData)
    {
        if (_writing.TryGetValue(transaction, out _)) cache.Evict(TenantOf(eventData.Context));
    }

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionCommitted(transaction, eventData);
        return Task.CompletedTask;
    }
}
