namespace SuccessPlans.Tenancy;

/// <summary>A row that belongs to exactly one tenant (community partnership).</summary>
public interface ITenantOwned
{
    int TenantId { get; }
}

/// <summary>A row whose concurrent edits must not silently overwrite each other.</summary>
public interface IVersioned
{
    Guid Version { get; set; }
}

/// <summary>Base for tenant-owned entities: the TenantId is stamped by AppDbContext.SaveChanges, never by callers.</summary>
public abstract class TenantEntity : ITenantOwned, IVersioned
{
    public int Id { get; set; }

    public int TenantId { get; private set; }

    /// <summary>Concurrency token; AppDbContext sets a new value on every save.</summary>
    public Guid Version { get; set; }
}
