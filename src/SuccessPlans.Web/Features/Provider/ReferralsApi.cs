using Microsoft.AspNetCore.Http.HttpResults;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Referrals;
using SuccessPlans.Web.Hosting;

namespace SuccessPlans.Web.Features.Provider;

/// <summary>
/// /api/v1/referrals for a provider organization's own systems (API key) or its signed-in users: list the
/// organization's referrals, answer them, post services delivered; the same rules as the portal.
/// </summary>
public static class ReferralsApi
{
    public const string Policy = "ProviderApi";

    public sealed record ReferralDto(int Id, ReferralStatus Status, string Service, DateTime? SentAt, string? ChildName, string? Grade, string? School,
        string? GuardianName, string? GuardianContact, string? Need, DeclineReason? DeclineReason, UnsuccessfulReason? UnsuccessfulReason, string? AnswerNote,
        string? Outcome, Guid Version, IReadOnlyList<DeliveryDto> Deliveries);
    public sealed record DeliveryDto(int Id, DateOnly DeliveredOn, int Amount, DeliveryUnit Unit, string DeliveredBy, string? Note);
    public sealed record VersionRequest(Guid? Version);
    public sealed record DeclineRequest(DeclineReason? Reason, string? Note, Guid? Version);
    public sealed record DeliveryRequest(DateOnly? DeliveredOn, int? Amount, DeliveryUnit? Unit, string? Note, Guid? Version);
    public sealed record CompleteRequest(string? Outcome, Guid? Version);
    public sealed record CloseRequest(UnsuccessfulReason? Reason, string? Note, Guid? Version);

    public static RouteGroupBuilder MapReferralsApi(this RouteGroupBuilder api)
    {
        var g = api.MapGroup("/referrals").RequireAuthorization(Policy).WithTags("Referrals (providers)");
        g.MapGet("/", ListAsync).WithSummary("The organization's referrals, newest first; filter by status.");
        g.MapGet("/{id:int}", GetAsync).WithSummary("One referral, with what was shared and the services delivered.");
        g.MapPost("/{id:int}/accept", (int id, VersionRequest b, ProviderAccess a, ReferralService s, CancellationToken ct) =>
            ActAsync(id, a, ct, r => s.AcceptAsync(r, a.Actor, b.Version, ct))).WithSummary("Accept a sent referral.");
        g.MapPost("/{id:int}/decline", (int id, DeclineRequest b, ProviderAccess a, ReferralService s, CancellationToken ct) =>
            ActAsync(id, a, ct, r => s.DeclineAsync(r, b.Reason, b.Note, a.Actor, b.Version, ct))).WithSummary("Decline with a reason (a note when the reason is Other).");
        g.MapPost("/{id:int}/deliveries", (int id, DeliveryRequest b, ProviderAccess a, ReferralService s, CancellationToken ct) =>
            ActAsync(id, a, ct, r => s.RecordDeliveryAsync(r, b.DeliveredOn, b.Amount, b.Unit, b.Note, a.Actor, b.Version, ct))).WithSummary("Record a service delivered.");
        g.MapPost("/{id:int}/complete", (int id, CompleteRequest b, ProviderAccess a, ReferralService s, CancellationToken ct) =>
            ActAsync(id, a, ct, r => s.CompleteAsync(r, b.Outcome, a.Actor, b.Version, ct))).WithSummary("Complete a referral in service.");
        g.MapPost("/{id:int}/close", (int id, CloseRequest b, ProviderAccess a, ReferralService s, CancellationToken ct) =>
            ActAsync(id, a, ct, r => s.CloseUnsuccessfulAsync(r, b.Reason, b.Note, a.Actor, b.Version, ct))).WithSummary("Close without success, with a reason.");
        return g;
    }

    private static async Task<Ok<List<ReferralDto>>> ListAsync(ProviderAccess access, ReferralStatus? status, CancellationToken ct)
    {
        var query = await access.ReferralsAsync(ct);
        if (status is { } s) query = query.Where(r => r.Status == s);
        var list = await query.Include(r => r.Service).Include(r => r.Deliveries).OrderByDescending(r => r.SentAt).Take(1000).ToListAsync(ct);
        return TypedResults.Ok(list.Select(ToDto).ToList());
    }

    private static async Task<Results<Ok<ReferralDto>, ProblemHttpResult>> GetAsync(int id, ProviderAccess access, CancellationToken ct) =>
        await access.FindAsync(id, ct) is { } r ? TypedResults.Ok(ToDto(r)) : ApiProblems.NotFound("referral", id);

    private static async Task<IResult> ActAsync(int id, ProviderAccess access, CancellationToken ct, Func<Referral, Task> action)
    {
        var referral = await access.FindAsync(id, ct);
        if (referral is null) return ApiProblems.NotFound("referral", id);
        try
        {
            await action(referral);
            return TypedResults.Ok(ToDto(referral));
        }
        catch (ValidationFailedException e)
        {
            return TypedResults.ValidationProblem(e.Errors, title: "The request is not valid; nothing was changed.");
        }
        catch (IllegalTransitionException e)
        {
            return TypedResults.Problem(statusCode: 409, title: "Not allowed in this state.", detail: e.Message);
        }
        catch (ConcurrencyConflictException e)
        {
            return TypedResults.Problem(statusCode: 409, title: "The referral changed.", detail: e.Message);
        }
    }

    private static ReferralDto ToDto(Referral r) => new(r.Id, r.Status, r.Service.Name, r.SentAt, r.SharedChildName, r.SharedGrade, r.SharedSchool,
        r.SharedGuardianName, r.SharedGuardianContact, r.SharedNeed, r.DeclineReason, r.UnsuccessfulReason, r.AnswerNote, r.Outcome, r.Version,
        r.Deliveries.OrderBy(d => d.DeliveredOn).Select(d => new DeliveryDto(d.Id, d.DeliveredOn, d.Amount, d.Unit, d.DeliveredBy, d.Note)).ToList());
}
