namespace SuccessPlans.Tenancy;

/// <summary>
/// The tenant of the current scope (a web request or one tenant's job run). Filled from the signed-in
/// user's claim by the web host, or explicitly by a job that opened a scope for one tenant.
/// Never from a header or a query string.
/// </summary>
public sealed class CurrentTenant
{
    public int? TenantId { get; private set; }

    public bool HasTenant => TenantId is not null;

    public void Set(int tenantId)
    {
        if (tenantId <= 0)
            throw new ArgumentOutOfRangeException(nameof(tenantId));
        // A scope belongs to one tenant for its whole life; switching would mix tenants' tracked rows.
        if (TenantId is not null && TenantId != tenantId)
            throw new TenantViolationException("This scope already belongs to another tenant.");
        TenantId = tenantId;
    }
}

/// <summary>Thrown when a write would cross tenants or has no tenant at all.</summary>
public sealed class TenantViolationException(string message) : InvalidOperationException(message);
