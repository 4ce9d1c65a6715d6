using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using SuccessPlans.Data;
using SuccessPlans.Features.Jobs;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Tenants;
using SuccessPlans.Features.Users;
using SuccessPlans.Tenancy;

namespace SuccessPlans.Features.Retention;

/// <summary>What erasing a tenant removed: rows per table.</summary>
public sealed record TenantErased(int TenantId, IReadOnlyDictionary<string, int> RowsByTable);

/// <summary>
/// Erases a whole tenant at the end of its contract (docs/retention.md). Generic over the model, so a table added
/// later is covered without a change here: every tenant-owned entity type (by its TenantId), the tenant's users, its
/// data version and every Identity row that hangs off the users (by their user), then the tenant itself, deleted
/// children before parents in one transaction. Only an operator (a scope with no tenant) may do it.
/// </summary>
public sealed class TenantErasure(AppDbContext db, CurrentTenant currentTenant, RecurringJobsRegistrar jobs, TimeProvider time,
    SuccessPlans.Features.Audit.AccessLogStaging accessLogStaging)
{
    /// <summary>
    /// Erases the tenant when <paramref name="confirmation"/> is its short name (slug). Throws NotFoundException or
    /// ValidationFailedException; nothing is written then.
    /// </summary>
    public async Task<TenantErased> EraseAsync(int tenantId, string? confirmation, Actor actor, string byEmail, CancellationToken ct = default)
    {
        if (currentTenant.HasTenant)
            throw new TenantViolationException("Only the platform operator, outside every tenant, erases a tenant.");
        var tenant = await db.Tenants.AsNoTracking().SingleOrDefaultAsync(t => t.Id == tenantId, ct) ?? throw new NotFoundException("No such tenant.");
        if (!string.Equals(confirmation?.Trim(), tenant.Slug, StringComparison.OrdinalIgnoreCase))
            throw ValidationFailedException.For("Confirmation", $"Type the tenant's short name ({tenant.Slug}) to confirm.");

        var statements = DeletionStatements(db);
        var removed = await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            var counts = new Dictionary<string, int>();
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            foreach (var (table, statement) in statements)
                counts[table] = counts.GetValueOrDefault(table) + await db.Database.ExecuteSqlRawAsync(statement, [tenantId], ct);
            // The tenant's own student erasures are covered by the tenant's erasure, recorded instead.
            await db.ErasureRecords.Where(r => r.TenantId == tenantId).ExecuteDeleteAsync(ct);
            db.ErasureRecords.Add(new ErasureRecord
            {
                TenantId = tenantId, Kind = ErasureKind.Tenant, SubjectId = tenantId, At = time.GetUtcNow().UtcDateTime, ByUserId = actor.UserId, ByEmail = byEmail,
            });
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            return counts;
        });
        jobs.RemoveTenant(tenantId);
        await SqliteDisposal.FlushAsync(db, ct);
        // SQLite: views of the tenant's people still on their way into the access log are dropped now, not within the second.
        await accessLogStaging.AfterTenantErasureAsync(ct);
        return new TenantErased(tenantId, removed);
    }

    /// <summary>
    /// The DELETE statements in order, for the context's database ({0} is the tenant's id). Table and column names come
    /// from the model, never from input. Public so that the SQL Server variant is parsed in the tests.
    /// </summary>
    public static IReadOnlyList<(string Table, string Sql)> DeletionStatements(DbContext context)
    {
        var sql = context.GetService<ISqlGenerationHelper>();
        return DeletionPlan(context.Model).Select(step => (step.Entity.GetTableName()!, $"DELETE FROM {Table(step.Entity, sql)} WHERE {step.Where(sql)}")).ToList();
    }

    /// <summary>One DELETE of the plan: an entity type and how its rows of the tenant are found ({0} is the tenant's id).</summary>
    public sealed record Step(IEntityType Entity, Func<ISqlGenerationHelper, string> Where);

    /// <summary>
    /// The DELETE statements in an order the foreign keys allow: a table's rows go before the rows they point to.
    /// Tenant-owned types by TenantId, users by TenantId, Identity's rows by their user, the tenant last.
    /// </summary>
    public static IReadOnlyList<Step> DeletionPlan(IModel model)
    {
        var user = model.FindEntityType(typeof(AppUser))!;
        var tenant = model.FindEntityType(typeof(Tenant))!;
        var steps = new Dictionary<IEntityType, Step>();
        foreach (var e in model.GetEntityTypes().Where(e => !e.IsOwned() && e.GetTableName() is not null))
        {
            // The tenant's data version too (not tenant-owned: row 0 counts for every tenant); the erasure's own writes,
            // outside every tenant, move row 0, not this one.
            if (typeof(ITenantOwned).IsAssignableFrom(e.ClrType) || e == user || e.ClrType == typeof(DataVersion))
                steps[e] = new Step(e, sql => $"{Column(e, nameof(ITenantOwned.TenantId), sql)} = {{0}}");
            else if (e == tenant)
                steps[e] = new Step(e, sql => $"{Column(e, nameof(Tenant.Id), sql)} = {{0}}");
            else if (e.GetForeignKeys().FirstOrDefault(fk => fk.PrincipalEntityType == user) is { } toUser)
                steps[e] = new Step(e, sql => $"{Column(e, toUser.Properties[0].Name, sql)} IN (SELECT {Column(user, nameof(AppUser.Id), sql)} FROM {Table(user, sql)} WHERE {Column(user, nameof(AppUser.TenantId), sql)} = {{0}})");
        }

        // Depth-first over "points to": a type is listed after every type that points to it.
        var ordered = new List<Step>();
        var state = new Dictionary<IEntityType, bool>(); // false: being visited, true: done
        void Visit(IEntityType e)
        {
            if (state.TryGetValue(e, out var done))
            {
                if (!done) throw new InvalidOperationException($"The foreign keys around {e.DisplayName()} form a cycle; tenant erasure needs an order.");
                return;
            }
            state[e] = false;
            foreach (var dependent in steps.Keys.Where(d => d != e && d.GetForeignKeys().Any(fk => fk.PrincipalEntityType == e)))
                Visit(dependent);
            state[e] = true;
            ordered.Add(steps[e]);
        }
        foreach (var e in steps.Keys.OrderBy(e => e.Name, StringComparer.Ordinal))
            Visit(e);
        return ordered;
    }

    private static string Table(IEntityType e, ISqlGenerationHelper sql) => sql.DelimitIdentifier(e.GetTableName()!, e.GetSchema());

    private static string Column(IEntityType e, string property, ISqlGenerationHelper sql) =>
        sql.DelimitIdentifier(e.FindProperty(property)!.GetColumnName(StoreObjectIdentifier.Table(e.GetTableName()!, e.GetSchema()))!);
}
