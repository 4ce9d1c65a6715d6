using SuccessPlans.Features.Audit;
using SuccessPlans.Features.Users;
using SuccessPlans.Web.Features.Account;

namespace SuccessPlans.Web.Features.Audit;

/// <summary>
/// Writes the access log for this request: who (the signed-in user or API key), under which role, from which address
/// (RemoteIpAddress, already the client's behind a known proxy: forwarded headers), and the page or endpoint.
/// </summary>
public sealed class AccessRecorder(AccessLog log, CurrentUser me, IHttpContextAccessor http)
{
    private static readonly string[] RoleOrder = [Roles.Admin, Roles.Coordinator, Roles.Provider, Roles.Cabinet, Roles.Operator];

    public async Task<AccessActor> ActorAsync(CancellationToken ct)
    {
        var role = RoleOrder.FirstOrDefault(me.IsInRole) ?? "";
        var organization = role == Roles.Provider ? await me.ProviderOrganizationIdAsync(ct) : null;
        return new AccessActor(me.Id == 0 ? null : me.Id, me.DisplayName, role, organization, http.HttpContext?.Connection.RemoteIpAddress?.ToString());
    }

    /// <summary>One entry for this request (the path only: a query string may carry a search for a name).</summary>
    public async Task RecordAsync(AccessAction action, int? studentId, int? planId = null, int? referralId = null, CancellationToken ct = default)
    {
        var request = http.HttpContext?.Request;
        var path = request is null ? null : $"{request.Method} {request.PathBase}{request.Path}";
        await log.AppendAsync(await ActorAsync(ct), action, studentId, path, planId, referralId, ct);
    }

    /// <summary>One entry per child of a list answer that carries each child's record.</summary>
    public async Task RecordManyAsync(AccessAction action, IReadOnlyCollection<(int StudentId, int? ReferralId)> rows, CancellationToken ct = default)
    {
        var request = http.HttpContext?.Request;
        var path = request is null ? null : $"{request.Method} {request.PathBase}{request.Path}";
        await log.AppendManyAsync(await ActorAsync(ct), action, rows, path, ct);
    }
}

/// <summary>
/// Endpoint filter for the API's reads: a GET of one student, plan or referral answered 200 writes one ApiRead entry.
/// Added to a route group in one line, so the endpoints themselves stay as they are.
/// </summary>
public static class AccessLogApi
{
    /// <summary>For /students/{id}...: the route's id is the child.</summary>
    public static RouteGroupBuilder LogStudentReads(this RouteGroupBuilder group) => group.AddEndpointFilter(async (context, next) =>
    {
        var result = await next(context);
        if (Succeeded(context, result) && context.HttpContext.Request.RouteValues.TryGetValue("id", out var raw) && int.TryParse(raw?.ToString(), out var id))
            await context.HttpContext.RequestServices.GetRequiredService<AccessRecorder>().RecordAsync(AccessAction.ApiRead, id, ct: context.HttpContext.RequestAborted);
        return result;
    });

    /// <summary>For /referrals/{id}...: the route's id is the referral; its child is read in the same tenant.</summary>
    public static RouteGroupBuilder LogReferralReads(this RouteGroupBuilder group) => group.AddEndpointFilter(async (context, next) =>
    {
        var result = await next(context);
        if (Succeeded(context, result) && context.HttpContext.Request.RouteValues.TryGetValue("id", out var raw) && int.TryParse(raw?.ToString(), out var id))
        {
            var services = context.HttpContext.RequestServices;
            var ct = context.HttpContext.RequestAborted;
            var studentId = await services.GetRequiredService<AppDbContext>().Referrals.Where(r => r.Id == id).Select(r => (int?)r.StudentId).SingleOrDefaultAsync(ct);
            await services.GetRequiredService<AccessRecorder>().RecordAsync(AccessAction.ApiRead, studentId, referralId: id, ct: ct);
        }
        return result;
    });

    private static bool Succeeded(EndpointFilterInvocationContext context, object? result)
    {
        if (!HttpMethods.IsGet(context.HttpContext.Request.Method)) return false;
        while (result is INestedHttpResult nested) result = nested.Result;
        return result is IStatusCodeHttpResult { StatusCode: StatusCodes.Status200OK };
    }
}
