using System.Linq.Expressions;
using System.Reflection;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Jobs;
using SuccessPlans.Features.Notifications;
using SuccessPlans.Features.Schools;
using SuccessPlans.Features.Students;
using SuccessPlans.Features.Tenants;
using SuccessPlans.Features.Users;
using SuccessPlans.Tenancy;

namespace SuccessPlans.Data;

/// <summary>
/// The one model, shared by SQLite and SQL Server. Tenancy is enforced here: every tenant-owned entity has
/// the named query filter <see cref="TenantFilter"/>, and SaveChanges refuses any write that crosses tenants.
/// It also holds the platform's data-protection keys, so every app node signs and reads the same cookies and links.
/// </summary>
public class AppDbContext : IdentityUserContext<AppUser, int>, IDataProtectionKeyContext
{
    // The scope's tenant (LeasedTo); none before a scope takes the context from the pool and none again after the scope's
    // end. A context without a scope reads and saves nothing: "no tenant" (a scope's sign-in, the operator) sees every
    // tenant's users and tenants, so it must come from a scope, never from a missing one.
    private CurrentTenant? currentTenant;

    /// <summary>
    /// The one public constructor, as EF's pool of contexts needs (AddSuccessPlansCore): the tenant is given by
    /// <see cref="LeasedTo"/> when a scope takes the context. A context from the pool keeps EF's internal services between
    /// requests; building them again for each request was 4-6% of a page's CPU (issue 15).
    /// </summary>
    public AppDbContext(DbContextOptions<AppDbContext> options) : base(options) { }

    /// <summary>A context outside the app's services (design time, tests) for <paramref name="tenant"/>.</summary>
    public static AppDbContext Create(DbContextOptions<AppDbContext> options, CurrentTenant tenant) => new AppDbContext(options).LeasedTo(tenant);

    /// <summary>
    /// A pooled context handed to a scope: from now on it reads and writes as that scope's tenant. Everything a request
    /// may leave on the context is reset here or by EF's pool (the change tracker and its settings, the transaction).
    /// </summary>
    internal AppDbContext LeasedTo(CurrentTenant? scopeTenant)
    {
        currentTenant = scopeTenant;
        AppendedFunnelRows.Clear();
        return this;
    }

    // The scope's end (a pooled context goes back to the pool in base.Dispose, whatever EndScope met).
    public override void Dispose()
    {
        try
        {
            EndScope();
        }
        finally
        {
            base.Dispose();
        }
    }

    public override async ValueTask DisposeAsync()
    {
        try
        {
            EndScope();
        }
        finally
        {
            await base.DisposeAsync();
        }
    }

    private void EndScope()
    {
        LeasedTo(null);
        // A connection the request opened itself (ReadConnection) is closed through EF, which counts the opens: EF's pool
        // closes the connection but keeps its count, so the next lease's queries would leave it open from then on, and
        // every pooled context would hold a connection between requests (on SQL Server, one of its pool's 100). Closing
        // rolls back a transaction left open. Bounded: each call undoes one open.
        try
        {
            for (var i = 0; i < 8 && Database.GetDbConnection().State != System.Data.ConnectionState.Closed; i++)
                Database.CloseConnection();
        }
        catch (ObjectDisposedException)
        {
            // Disposed before: nothing is open.
        }
    }

    /// <summary>Name of the query filter that hides other tenants' rows.</summary>
    public const string TenantFilter = "Tenant";

    public DbSet<Tenant> Tenants => Set<Tenant>();
    public DbSet<School> Schools => Set<School>();
    public DbSet<Student> Students => Set<Student>();
    public DbSet<ProviderOrganization> ProviderOrganizations => Set<ProviderOrganization>();
    public DbSet<Service> Services => Set<Service>();
    public DbSet<CoordinatorSchool> CoordinatorSchools => Set<CoordinatorSchool>();
    public DbSet<Notification> Notifications => Set<Notification>();
    public DbSet<JobRun> JobRuns => Set<JobRun>();
    public DbSet<SuccessPlans.Features.Plans.SuccessPlan> Plans => Set<SuccessPlans.Features.Plans.SuccessPlan>();
    public DbSet<SuccessPlans.Features.Plans.PlanItem> PlanItems => Set<SuccessPlans.Features.Plans.PlanItem>();
    public DbSet<SuccessPlans.Features.Plans.GoalPoint> GoalPoints => Set<SuccessPlans.Features.Plans.GoalPoint>();
    public DbSet<SuccessPlans.Features.Plans.Review> Reviews => Set<SuccessPlans.Features.Plans.Review>();
    public DbSet<Consent> Consents => Set<Consent>();
    public DbSet<ConsentOrganization> ConsentOrganizations => Set<ConsentOrganization>();
    public DbSet<StudentEvent> StudentEvents => Set<StudentEvent>();
    public DbSet<SchoolClass> Classes => Set<SchoolClass>();
    public DbSet<ClassEnrollment> ClassEnrollments => Set<ClassEnrollment>();
    public DbSet<SuccessPlans.Features.Referrals.Referral> Referrals => Set<SuccessPlans.Features.Referrals.Referral>();
    public DbSet<SuccessPlans.Features.Referrals.ReferralEvent> ReferralEvents => Set<SuccessPlans.Features.Referrals.ReferralEvent>();
    public DbSet<SuccessPlans.Features.Referrals.ServiceDelivery> ServiceDeliveries => Set<SuccessPlans.Features.Referrals.ServiceDelivery>();
    public DbSet<SuccessPlans.Features.Cabinet.DeliveryYear> DeliveryYears => Set<SuccessPlans.Features.Cabinet.DeliveryYear>();
    public DbSet<SuccessPlans.Features.Cabinet.ServedMonth> ServedMonths => Set<SuccessPlans.Features.Cabinet.ServedMonth>();
    public DbSet<SuccessPlans.Features.Cabinet.ServedChange> ServedChanges => Set<SuccessPlans.Features.Cabinet.ServedChange>();
    public DbSet<SuccessPlans.Features.Cabinet.FunnelMonth> FunnelMonths => Set<SuccessPlans.Features.Cabinet.FunnelMonth>();

    /// <summary>The funnel rows the pending save appended (replaced if the save is tried again).</summary>
    internal List<SuccessPlans.Features.Cabinet.FunnelMonth> AppendedFunnelRows { get; } = [];
    public DbSet<SuccessPlans.Features.Referrals.ReferralMessage> ReferralMessages => Set<SuccessPlans.Features.Referrals.ReferralMessage>();
    public DbSet<SuccessPlans.Features.Referrals.ReferralUpdate> ReferralUpdates => Set<SuccessPlans.Features.Referrals.ReferralUpdate>();
    public DbSet<CaseNote> CaseNotes => Set<CaseNote>();
    public DbSet<SuccessPlans.Features.Referrals.Disclosure> Disclosures => Set<SuccessPlans.Features.Referrals.Disclosure>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<ServiceLocation> ServiceLocations => Set<ServiceLocation>();
    public DbSet<ServiceAtLocation> ServicesAtLocations => Set<ServiceAtLocation>();
    public DbSet<ServiceTerm> ServiceTerms => Set<ServiceTerm>();
    public DbSet<SuccessPlans.Features.Flags.Flag> Flags => Set<SuccessPlans.Features.Flags.Flag>();
    public DbSet<SuccessPlans.Features.Flags.DigestSent> DigestsSent => Set<SuccessPlans.Features.Flags.DigestSent>();
    public DbSet<SuccessPlans.Features.Roster.RosterUpload> RosterUploads => Set<SuccessPlans.Features.Roster.RosterUpload>();
    public DbSet<SuccessPlans.Features.Indicators.AttendanceEvent> AttendanceEvents => Set<SuccessPlans.Features.Indicators.AttendanceEvent>();
    public DbSet<SuccessPlans.Features.Indicators.SchoolDay> SchoolDays => Set<SuccessPlans.Features.Indicators.SchoolDay>();
    public DbSet<SuccessPlans.Features.Indicators.BehaviorIncident> BehaviorIncidents => Set<SuccessPlans.Features.Indicators.BehaviorIncident>();
    public DbSet<SuccessPlans.Features.Indicators.CourseMark> CourseMarks => Set<SuccessPlans.Features.Indicators.CourseMark>();
    public DbSet<SuccessPlans.Features.Indicators.StudentIndicators> StudentIndicators => Set<SuccessPlans.Features.Indicators.StudentIndicators>();
    /// <summary>Platform-wide, not tenant-owned: one key ring signs every tenant's cookies and links.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<DataVersion> DataVersions => Set<DataVersion>();
    public DbSet<DirectoryUpload> DirectoryUploads => Set<DirectoryUpload>();
    /// <summary>Append-only: see <see cref="SuccessPlans.Features.Audit.AccessLogEntry"/>.</summary>
    public DbSet<SuccessPlans.Features.Audit.AccessLogEntry> AccessLog => Set<SuccessPlans.Features.Audit.AccessLogEntry>();
    /// <summary>Platform-wide: a tenant's erasure is recorded after the tenant is gone (docs/retention.md).</summary>
    public DbSet<SuccessPlans.Features.Retention.ErasureRecord> ErasureRecords => Set<SuccessPlans.Features.Retention.ErasureRecord>();

    /// <summary>Read by the query filters at query time, so each query sees the scope's tenant.</summary>
    internal int? CurrentTenantId => (currentTenant ?? throw new InvalidOperationException(
        "This AppDbContext belongs to no scope: take it from a scope's services (it may have been kept past its scope).")).TenantId;

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(AppDbContext).Assembly);
        // Identity's string keys get explicit lengths, so both providers' models are the same at design time and run time.
        builder.Entity<IdentityUserLogin<int>>(b => { b.Property(l => l.LoginProvider).HasMaxLength(128); b.Property(l => l.ProviderKey).HasMaxLength(128); });
        builder.Entity<IdentityUserToken<int>>(b => { b.Property(t => t.LoginProvider).HasMaxLength(128); b.Property(t => t.Name).HasMaxLength(128); });

        foreach (var entityType in builder.Model.GetEntityTypes().ToList())
        {
            var clr = entityType.ClrType;
            if (typeof(ITenantOwned).IsAssignableFrom(clr))
            {
                ConfigureTenantOwnedMethod.MakeGenericMethod(clr).Invoke(this, [builder]);
            }
            if (typeof(IVersioned).IsAssignableFrom(clr))
            {
                builder.Entity(clr).Property(nameof(IVersioned.Version)).IsConcurrencyToken();
            }
        }

        // Tenants and users have no tenant of their own to filter on: with a tenant in scope only that
        // tenant's row and users are visible; with none (sign-in, the operator, a job's outer loop) all are.
        builder.Entity<Tenant>().HasQueryFilter(TenantFilter, t => CurrentTenantId == null || t.Id == CurrentTenantId);
        builder.Entity<AppUser>().HasQueryFilter(TenantFilter, u => CurrentTenantId == null || u.TenantId == CurrentTenantId);
        builder.Entity<IdentityUserClaim<int>>().HasQueryFilter(TenantFilter, c => Users.Any(u => u.Id == c.UserId));
        builder.Entity<IdentityUserLogin<int>>().HasQueryFilter(TenantFilter, l => Users.Any(u => u.Id == l.UserId));
        builder.Entity<IdentityUserToken<int>>().HasQueryFilter(TenantFilter, t => Users.Any(u => u.Id == t.UserId));
        // The keys that sign every tenant's cookies and links belong to the platform: no tenant's scope reads them.
        builder.Entity<DataProtectionKey>().HasQueryFilter(TenantFilter, k => CurrentTenantId == null);
        // A tenant's scope reads its own data version and the one every tenant shares (a scope with none, that one
        // alone: no "no tenant" case, so the read stays two lookups by key); no scope writes them through EF
        // (TenantReadCacheInvalidator moves them in SQL).
        builder.Entity<DataVersion>(b =>
        {
            b.HasKey(v => v.TenantId);
            b.Property(v => v.TenantId).ValueGeneratedNever();
            b.HasQueryFilter(TenantFilter, v => v.TenantId == CurrentTenantId || v.TenantId == SuccessPlans.Data.DataVersions.EveryTenant);
        });
        // Erasure records outlive their tenant, so they are not tenant-owned; a tenant's scope still sees only its own.
        builder.Entity<SuccessPlans.Features.Retention.ErasureRecord>().HasQueryFilter(TenantFilter, r => CurrentTenantId == null || r.TenantId == CurrentTenantId);

        ConfigureCaseInsensitiveKeys(builder);

        // Nothing the product holds about a child may vanish through a cascade; deletes are explicit.
        foreach (var fk in builder.Model.GetEntityTypes().SelectMany(e => e.GetForeignKeys()))
        {
            if (fk.DeleteBehavior == DeleteBehavior.Cascade && !IsIdentityOwned(fk.DeclaringEntityType.ClrType)
                && fk.DeclaringEntityType.ClrType != typeof(CoordinatorSchool) && fk.DeclaringEntityType.ClrType != typeof(ConsentOrganization) && fk.DeclaringEntityType.ClrType != typeof(ClassEnrollment)
                && fk.DeclaringEntityType.ClrType != typeof(ServiceAtLocation) && fk.DeclaringEntityType.ClrType != typeof(ServiceTerm))
                fk.DeleteBehavior = DeleteBehavior.Restrict;
        }
    }

    /// <summary>SQLite's built-in case-insensitive collation (it folds ASCII letters only).</summary>
    public const string SqliteCaseInsensitive = "NOCASE";

    /// <summary>Case-insensitive, accent-sensitive; named so the column does not depend on the server's default collation.</summary>
    public const string SqlServerCaseInsensitive = "Latin1_General_100_CI_AS";

    /// <summary>
    /// Keys that come from other systems or people: OneRoster sourcedIds, HSDS ids, tenant slugs. SQL Server's usual
    /// collation ignores case and SQLite's does not, so "S1" and "s1" were two rows on one and a unique-key failure
    /// on the other; declared here, both compare without case (and importers match them the same way).
    /// </summary>
    public static readonly IReadOnlyList<(Type Entity, string Property)> CaseInsensitiveKeys =
    [
        (typeof(Tenant), nameof(Tenant.Slug)),
        (typeof(School), nameof(School.ExternalId)),
        (typeof(Student), nameof(Student.ExternalId)),
        (typeof(SchoolClass), nameof(SchoolClass.ExternalId)),
        (typeof(ProviderOrganization), nameof(ProviderOrganization.HsdsId)),
        (typeof(Service), nameof(Service.HsdsId)),
        (typeof(ServiceLocation), nameof(ServiceLocation.HsdsId)),
        (typeof(ServiceTerm), nameof(ServiceTerm.TermHsdsId)),
        (typeof(SuccessPlans.Features.Indicators.AttendanceEvent), nameof(SuccessPlans.Features.Indicators.ImportedIndicator.SourceId)),
        (typeof(SuccessPlans.Features.Indicators.BehaviorIncident), nameof(SuccessPlans.Features.Indicators.ImportedIndicator.SourceId)),
        (typeof(SuccessPlans.Features.Indicators.CourseMark), nameof(SuccessPlans.Features.Indicators.ImportedIndicator.SourceId)),
    ];

    private void ConfigureCaseInsensitiveKeys(ModelBuilder builder)
    {
        var collation = Database.IsSqlServer() ? SqlServerCaseInsensitive : SqliteCaseInsensitive;
        foreach (var (entity, property) in CaseInsensitiveKeys)
            builder.Entity(entity).Property(property).UseCollation(collation);
    }

    private static bool IsIdentityOwned(Type t) =>
        t == typeof(IdentityUserClaim<int>) || t == typeof(IdentityUserLogin<int>) || t == typeof(IdentityUserToken<int>);

    protected override void ConfigureConventions(ModelConfigurationBuilder conventions)
    {
        // SQLite cannot compare DateTimeOffset in SQL: store UTC DateTime and mark it as UTC when read back.
        conventions.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        conventions.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>();
        // Enums are stored by name so the database reads on its own and reordering an enum breaks nothing.
        conventions.Properties<Enum>().HaveConversion<string>().HaveMaxLength(32);
    }

    private static readonly MethodInfo ConfigureTenantOwnedMethod =
        typeof(AppDbContext).GetMethod(nameof(ConfigureTenantOwned), BindingFlags.NonPublic | BindingFlags.Instance)!;

    private void ConfigureTenantOwned<T>(ModelBuilder builder) where T : class, ITenantOwned
    {
        var entity = builder.Entity<T>();
        entity.HasQueryFilter(TenantFilter, e => e.TenantId == CurrentTenantId);
        entity.HasOne<Tenant>().WithMany().HasForeignKey(e => e.TenantId).OnDelete(DeleteBehavior.Restrict);
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess) =>
        SaveWithRulesAsync(acceptAllChangesOnSuccess, async: false, default).GetAwaiter().GetResult();

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default) =>
        SaveWithRulesAsync(acceptAllChangesOnSuccess, async: true, cancellationToken);

    /// <summary>
    /// Every save: the funnel rollup and the tenant rules see the pending changes, detected in ONE pass over the tracked
    /// entities. Detecting is explicit, so no save (even with automatic detection off) can skip the rollup; then
    /// automatic detection is off for the rest of the call, so that neither ChangeTracker.Entries nor EF's own
    /// SaveChanges scans every tracked entity again (a large import tracks tens of thousands).
    /// </summary>
    private async Task<int> SaveWithRulesAsync(bool acceptAllChangesOnSuccess, bool async, CancellationToken ct)
    {
        ChangeTracker.DetectChanges();
        var auto = ChangeTracker.AutoDetectChangesEnabled;
        ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            // The cabinet's funnel counts move with the referrals and needs saved here, in the same save.
            var pending = ChangeTracker.Entries().Where(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted).ToList();
            var appended = await SuccessPlans.Features.Cabinet.FunnelRollup.AppendAsync(this, pending, ct);
            ApplyTenantRules(appended.Count == 0 ? pending : [.. pending, .. appended.Select(r => Entry(r))]);
            return async
                ? await base.SaveChangesAsync(acceptAllChangesOnSuccess, ct)
                : base.SaveChanges(acceptAllChangesOnSuccess);
        }
        finally
        {
            ChangeTracker.AutoDetectChangesEnabled = auto;
        }
    }

    /// <summary>Stamps new rows with the scope's tenant and refuses every write that would cross tenants.</summary>
    private void ApplyTenantRules(IEnumerable<EntityEntry> pending)
    {
        var tenantId = CurrentTenantId;
        foreach (var entry in pending)
        {
            if (entry.State is EntityState.Unchanged or EntityState.Detached)
                continue;
            // The access log is evidence: it can be appended to, never edited (a trigger refuses UPDATE too).
            if (entry.Entity is SuccessPlans.Features.Audit.AccessLogEntry && entry.State is not EntityState.Added)
                throw new AccessLogAppendOnlyException();

            switch (entry.Entity)
            {
                case ITenantOwned:
                    CheckTenantOwned(entry, tenantId);
                    break;
                case AppUser:
                    CheckUser(entry, tenantId);
                    break;
                case Tenant tenant when tenantId is not null && (entry.State == EntityState.Added || tenant.Id != tenantId):
                    throw new TenantViolationException("A tenant's scope cannot create or change another tenant.");
                case SuccessPlans.Features.Retention.ErasureRecord record when tenantId is not null && record.TenantId != tenantId:
                    throw new TenantViolationException("A tenant's scope cannot record another tenant's erasure.");
                case DataVersion:
                    throw new TenantViolationException("Data versions are moved only by the cache's invalidator, in SQL.");
                case DataProtectionKey when tenantId is not null:
                    throw new TenantViolationException("Data-protection keys belong to the platform: a tenant's scope cannot write them.");
            }

            // Through the entry, so the new version is marked modified without another pass of DetectChanges.
            if (entry.Entity is IVersioned && entry.State is EntityState.Added or EntityState.Modified)
                entry.Property(nameof(IVersioned.Version)).CurrentValue = Guid.NewGuid();
        }
    }

    private static void CheckTenantOwned(EntityEntry entry, int? tenantId)
    {
        var name = entry.Metadata.ClrType.Name;
        if (tenantId is null)
            throw new TenantViolationException($"Cannot save {name}: no tenant in scope.");

        var property = entry.Property(nameof(ITenantOwned.TenantId));
        var current = (int)property.CurrentValue!;
        if (entry.State == EntityState.Added)
        {
            if (current == 0)
                property.CurrentValue = tenantId.Value;
            else if (current != tenantId)
                throw new TenantViolationException($"Cannot add {name} to another tenant.");
            return;
        }

        var original = (int)property.OriginalValue!;
        if (original != tenantId)
            throw new TenantViolationException($"Cannot {(entry.State == EntityState.Deleted ? "delete" : "change")} {name} of another tenant.");
        if (current != original)
            throw new TenantViolationException($"Cannot move {name} to another tenant.");
    }

    private static void CheckUser(EntityEntry entry, int? tenantId)
    {
        var property = entry.Property(nameof(AppUser.TenantId));
        var current = (int?)property.CurrentValue;
        if (entry.State == EntityState.Added)
        {
            if (tenantId is not null && current is null)
                property.CurrentValue = tenantId;
            else if (tenantId is not null && current != tenantId)
                throw new TenantViolationException("Cannot add a user to another tenant.");
            return;
        }
        var original = (int?)property.OriginalValue;
        if (tenantId is not null && original != tenantId)
            throw new TenantViolationException("Cannot change a user of another tenant.");
        if (current != original)
            throw new TenantViolationException("Cannot move a user to another tenant.");
    }

    /// <summary>Thrown when a change or delete of an access log entry reaches SaveChanges.</summary>
    public sealed class AccessLogAppendOnlyException() : InvalidOperationException("The access log can be appended to, never changed or deleted.");

    public sealed class UtcDateTimeConverter : ValueConverter<DateTime, DateTime>
    {
        public UtcDateTimeConverter()
            : base(v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(), v => DateTime.SpecifyKind(v, DateTimeKind.Utc)) { }
    }
}
