using Microsoft.AspNetCore.Http.HttpResults;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Students;
using SuccessPlans.Web.Features.Audit;
using SuccessPlans.Web.Hosting;

namespace SuccessPlans.Web.Features.Students;

/// <summary>
/// /api/v1/students: the caseload, the student, and this school year's plan, with the same rules and scoping
/// as the pages (StudentAccess, PlanService). Errors are ProblemDetails: 400 invalid, 404 not visible, 409 stale.
/// </summary>
public static class StudentsApi
{
    public sealed record StudentSummary(int Id, string GivenName, string FamilyName, string? Grade, int SchoolId, string School, StudentStatus Status, string? ExternalId);
    public sealed record StudentPage(IReadOnlyList<StudentSummary> Items, int Total, int Page, int PageSize);
    public sealed record StudentDetail(int Id, string GivenName, string FamilyName, string? Grade, int SchoolId, string School, StudentStatus Status,
        string? ExternalId, string? LocalId, DateOnly? BirthDate, string? HomeLanguage, string? GuardianName, string? GuardianEmail, string? GuardianPhone);
    public sealed record PlanItemDto(int Id, Domain Domain, PlanItemKind Kind, string Description, string? Goal, NeedPriority? Priority, NeedStatus? Status, DateOnly? IdentifiedOn,
        GoalMeasureDto? Measure);
    /// <summary>A need's measure, read-only: baseline, target, the values after the baseline and the progress code (null before any value).</summary>
    public sealed record GoalMeasureDto(GoalMeasure Measure, string Unit, decimal Baseline, DateOnly BaselineOn, decimal Target, DateOnly? TargetOn,
        IReadOnlyList<GoalValue> Values, GoalProgress? Progress);
    public sealed record PlanDto(int Id, int SchoolYear, PlanStatus Status, int Tier, DateOnly? NextReviewDue, Guid Version, IReadOnlyList<PlanItemDto> Items);
    public sealed record NewItemRequest(Domain? Domain, PlanItemKind? Kind, string? Description, string? Goal, NeedPriority? Priority);
    public sealed record ReviewRequest(int? Tier, IReadOnlyList<NewItemRequest>? Items, Guid? PlanVersion);
    public sealed record AddItemRequest(Domain? Domain, PlanItemKind? Kind, string? Description, string? Goal, NeedPriority? Priority, Guid? PlanVersion);
    public sealed record UpdateNeedRequest(NeedStatus? Status, string? Goal, NeedPriority? Priority, Guid? PlanVersion);
    public sealed record NextReviewRequest(DateOnly? NextReviewDue, Guid? PlanVersion);
    public sealed record VersionRequest(Guid? PlanVersion);

    public static RouteGroupBuilder MapStudentsApi(this RouteGroupBuilder api)
    {
        var g = api.MapGroup("/students").RequireAuthorization(Policies.StaffOfSchools).WithTags("Students and plans");
        g.LogStudentReads();
        g.MapGet("/", ListAsync).WithName("ListStudents").WithSummary("The students the caller may see, searched and paged.");
        g.MapGet("/{id:int}", GetAsync).WithName("GetStudent").WithSummary("One student.");
        g.MapGet("/{id:int}/plan", GetPlanAsync).WithName("GetPlan").WithSummary("This school year's success plan.");
        g.MapPost("/{id:int}/plan/review", ReviewAsync).WithName("ReviewPlan").WithSummary("Record this term's review: tier and new items; creates the year's plan if needed.");
        g.MapPost("/{id:int}/plan/items", AddItemAsync).WithName("AddPlanItem").WithSummary("Add a strength, need or interest.");
        g.MapPatch("/{id:int}/plan/needs/{itemId:int}", UpdateNeedAsync).WithName("UpdatePlanNeed").WithSummary("Change a need's status, goal or priority.");
        g.MapPut("/{id:int}/plan/next-review", NextReviewAsync).WithName("SetPlanNextReview").WithSummary("Set the next review date (not in the past).");
        g.MapPost("/{id:int}/plan/close", CloseAsync).WithName("ClosePlan").WithSummary("Close this year's plan.");
        return g;
    }

    private static async Task<Ok<StudentPage>> ListAsync(StudentAccess access, string? q, int? school, string? grade, bool? includeWithdrawn, int? page, int? pageSize, CancellationToken ct)
    {
        var size = Math.Clamp(pageSize ?? 50, 1, 500);
        var number = Math.Max(1, page ?? 1);
        var query = (await access.VisibleAsync(ct)).Where(s => includeWithdrawn == true || s.Status == StudentStatus.Active);
        if (!string.IsNullOrWhiteSpace(q))
            query = query.Where(Caseload.Matching(q.Trim()));
        if (school is { } sid) query = query.Where(s => s.SchoolId == sid);
        if (!string.IsNullOrEmpty(grade)) query = query.Where(s => s.Grade == grade);
        var total = await query.CountAsync(ct);
        var items = await query.OrderBy(s => s.FamilyName).ThenBy(s => s.GivenName).ThenBy(s => s.Id)
            .Skip((number - 1) * size).Take(size)
            .Select(s => new StudentSummary(s.Id, s.GivenName, s.FamilyName, s.Grade, s.SchoolId, s.School.Name, s.Status, s.ExternalId))
            .ToListAsync(ct);
        return TypedResults.Ok(new StudentPage(items, total, number, size));
    }

    private static async Task<Results<Ok<StudentDetail>, NotFoundProblem>> GetAsync(int id, StudentAccess access, CancellationToken ct)
    {
        var s = await access.FindAsync(id, ct);
        return s is null
            ? ApiProblems.NotFound("student", id)
            : TypedResults.Ok(new StudentDetail(s.Id, s.GivenName, s.FamilyName, s.Grade, s.SchoolId, s.School.Name, s.Status, s.ExternalId, s.LocalId,
                s.BirthDate, s.HomeLanguage, s.GuardianName, s.GuardianEmail, s.GuardianPhone));
    }

    private static async Task<Results<Ok<PlanDto>, NotFoundProblem>> GetPlanAsync(int id, StudentAccess access, PlanService plans, GoalSeries goals, CancellationToken ct)
    {
        var student = await access.FindAsync(id, ct);
        if (student is null) return ApiProblems.NotFound("student", id);
        var plan = await plans.FindPlanAsync(id, SchoolYears.For(await plans.TodayAsync(ct)), ct);
        return plan is null ? NoPlan() : TypedResults.Ok(await ToDtoAsync(plan, goals, plans, ct));
    }

    private static Task<Results<Ok<PlanDto>, ValidationProblem, NotFoundProblem, ConflictProblem>> ReviewAsync(int id, ReviewRequest body, StudentAccess access, PlanService plans, GoalSeries goals, CancellationToken ct) =>
        ChangeAsync(id, access, plans, requirePlan: false, ct, async (student, _) =>
        {
            var items = (body.Items ?? []).Select(i => new NewPlanItem(i.Domain, i.Kind, i.Description, i.Goal, i.Priority)).ToList();
            return TypedResults.Ok(await ToDtoAsync(await plans.RecordReviewAsync(student, body.Tier, items, access.Actor, body.PlanVersion, ct), goals, plans, ct));
        });

    private static Task<Results<Created<PlanDto>, ValidationProblem, NotFoundProblem, ConflictProblem>> AddItemAsync(int id, AddItemRequest body, StudentAccess access, PlanService plans, GoalSeries goals, CancellationToken ct) =>
        ChangeAsync(id, access, plans, requirePlan: true, ct, async (student, plan) =>
        {
            var item = await plans.AddItemAsync(student, plan!, new NewPlanItem(body.Domain, body.Kind, body.Description, body.Goal, body.Priority), access.Actor, body.PlanVersion, ct);
            return TypedResults.Created($"/api/v1/students/{id}/plan", await ToDtoAsync(plan!, goals, plans, ct));
        });

    private static Task<Results<Ok<PlanDto>, ValidationProblem, NotFoundProblem, ConflictProblem>> UpdateNeedAsync(int id, int itemId, UpdateNeedRequest body, StudentAccess access, PlanService plans, GoalSeries goals, CancellationToken ct) =>
        ChangeAsync(id, access, plans, requirePlan: true, ct, async (student, plan) =>
        {
            await plans.UpdateNeedAsync(student, plan!, itemId, body.Status, body.Goal, body.Priority, access.Actor, body.PlanVersion, ct);
            return TypedResults.Ok(await ToDtoAsync(plan!, goals, plans, ct));
        });

    private static Task<Results<Ok<PlanDto>, ValidationProblem, NotFoundProblem, ConflictProblem>> NextReviewAsync(int id, NextReviewRequest body, StudentAccess access, PlanService plans, GoalSeries goals, CancellationToken ct) =>
        ChangeAsync(id, access, plans, requirePlan: true, ct, async (student, plan) =>
        {
            await plans.SetNextReviewAsync(student, plan!, body.NextReviewDue, access.Actor, body.PlanVersion, ct);
            return TypedResults.Ok(await ToDtoAsync(plan!, goals, plans, ct));
        });

    private static Task<Results<Ok<PlanDto>, ValidationProblem, NotFoundProblem, ConflictProblem>> CloseAsync(int id, VersionRequest body, StudentAccess access, PlanService plans, GoalSeries goals, CancellationToken ct) =>
        ChangeAsync(id, access, plans, requirePlan: true, ct, async (student, plan) =>
        {
            await plans.ClosePlanAsync(student, plan!, access.Actor, body.PlanVersion, ct);
            return TypedResults.Ok(await ToDtoAsync(plan!, goals, plans, ct));
        });

    /// <summary>Finds the visible student (and plan), runs the change, and maps the domain's refusals to ProblemDetails (CoreResults).</summary>
    private static async Task<Results<TOk, ValidationProblem, NotFoundProblem, ConflictProblem>> ChangeAsync<TOk>(int id, StudentAccess access, PlanService plans,
        bool requirePlan, CancellationToken ct, Func<Student, SuccessPlan?, Task<TOk>> change) where TOk : IResult
    {
        var student = await access.FindAsync(id, ct);
        if (student is null) return ApiProblems.NotFound("student", id);
        var plan = await plans.FindPlanAsync(id, SchoolYears.For(await plans.TodayAsync(ct)), ct);
        if (requirePlan && plan is null) return NoPlan();
        return await CoreResults.RunAsync(() => change(student, plan));
    }

    private static NotFoundProblem NoPlan() => new("No plan yet.", "This student has no success plan this school year; record a review first.");

    private static async Task<PlanDto> ToDtoAsync(SuccessPlan p, GoalSeries goals, PlanService plans, CancellationToken ct)
    {
        var measured = await goals.ForAsync(p.StudentId, p.Items, await plans.TodayAsync(ct), ct);
        return new(p.Id, p.SchoolYear, p.Status, p.Tier, p.NextReviewDue, p.Version,
            p.Items.OrderBy(i => i.Domain).ThenBy(i => i.Id)
                .Select(i => new PlanItemDto(i.Id, i.Domain, i.Kind, i.Description, i.Goal, i.Priority, i.Status, i.IdentifiedOn,
                    measured.TryGetValue(i.Id, out var g) ? new GoalMeasureDto(g.Measure, g.Unit, i.Baseline!.Value, i.BaselineOn!.Value, i.Target!.Value, i.TargetOn, g.Values, g.Progress) : null))
                .ToList());
    }
}
