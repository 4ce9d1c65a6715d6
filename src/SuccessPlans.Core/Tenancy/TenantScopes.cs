using Microsoft.Extensions.DependencyInjection;

namespace SuccessPlans.Tenancy;

/// <summary>Opens a DI scope that belongs to one tenant: how jobs and commands look across tenants.</summary>
public static class TenantScopes
{
    public static AsyncServiceScope CreateTenantScope(this IServiceScopeFactory scopes, int tenantId)
    {
        var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentTenant>().Set(tenantId);
        return scope;
    }
}
