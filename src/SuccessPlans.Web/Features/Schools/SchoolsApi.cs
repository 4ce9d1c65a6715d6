using Microsoft.AspNetCore.Http.HttpResults;
using SuccessPlans.Web.Features.Account;
using SuccessPlans.Web.Hosting;

namespace SuccessPlans.Web.Features.Schools;

/// <summary>/api/v1/schools: the schools the caller may see (all for an Admin, assigned ones for a coordinator).</summary>
public static class SchoolsApi
{
    public sealed record SchoolDto(int Id, string Name, string? ExternalId);

    public static RouteGroupBuilder MapSchoolsApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/schools").RequireAuthorization(Policies.StaffOfSchools).WithTags("Schools");
        group.MapGet("/", ListAsync).WithName("ListSchools").WithSummary("The schools the caller may see.");
        group.MapGet("/{id:int}", GetAsync).WithName("GetSchool").WithSummary("One school the caller may see.");
        return group;
    }

    private static async Task<Ok<List<SchoolDto>>> ListAsync(AppDbContext db, CurrentUser me, CancellationToken ct)
    {
        var mine = await me.SchoolIdsAsync(ct);
        return TypedResults.Ok(await db.Schools.Where(s => mine.Contains(s.Id)).OrderBy(s => s.Name)
            .Select(s => new SchoolDto(s.Id, s.Name, s.ExternalId)).ToListAsync(ct));
    }

    /// <summary>Another tenant's school, or one outside the coordinator's scope, is simply not found.</summary>
    private static async Task<Results<Ok<SchoolDto>, NotFoundProblem>> GetAsync(int id, AppDbContext db, CurrentUser me, CancellationToken ct)
    {
        var mine = await me.SchoolIdsAsync(ct);
        var school = await db.Schools.Where(s => s.Id == id && mine.Contains(s.Id))
            .Select(s => new SchoolDto(s.Id, s.Name, s.ExternalId)).SingleOrDefaultAsync(ct);
        return school is null ? ApiProblems.NotFound("school", id) : TypedResults.Ok(school);
    }
}
