using Microsoft.AspNetCore.Mvc.Filters;
using SuccessPlans.Features.Tenants;
using SuccessPlans.Tenancy;

namespace SuccessPlans.Web.Hosting;

/// <summary>
/// The one way pages show an instant: in the tenant's zone with the zone named (<see cref="LocalTimes"/>). The zone is
/// read once per request, before the page runs (<see cref="LocalTimeFilter"/>); without a tenant (the operator) it is UTC.
/// </summary>
public sealed class LocalTime(TenantSettingsCache settings, CurrentTenant tenant)
{
    public TimeZoneInfo Zone { get; private set; } = TimeZoneInfo.Utc;

    public async Task LoadAsync(CancellationToken ct)
    {
        if (tenant.HasTenant) Zone = (await settings.GetAsync(ct)).TimeZone;
    }

    public string Show(DateTime utc) => LocalTimes.Show(utc, Zone);

    public string Show(DateTime? utc) => utc is { } at ? Show(at) : "";
}

public sealed class LocalTimeFilter(LocalTime time) : IAsyncPageFilter
{
    public async Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => await time.LoadAsync(context.HttpContext.RequestAborted);

    public Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next) => next();
}
