using Microsoft.AspNetCore.Http.HttpResults;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Referrals;
using SuccessPlans.Web.Hosting;

namespace SuccessPlans.Web.Features.Provider;

/// <summary>
/// /api/v1/referrals for a provider organization's own systems (API key) or its signed-in users: list the
/// organization's referrals, answer them with an outcome, post services delivered, exchange messages with the
/// school, and keep the services' capacity; the same rules as the portal.
/// </summary>
public static class ReferralsApi
{
    public const string Policy = "ProviderApi";

    public sealed record ReferralDto(int Id, ReferralStatus Status, string Service, int ServiceId, DateTime? SentAt, string? ChildName, string? Grade, string? School,
        string? GuardianName, string? GuardianContact, string? Need, ReferralOutcome? Outcome, string? OutcomeNote, Guid Version, IReadOnlyList<DeliveryDto> Deliveries);
    public sealed record DeliveryDto(int Id, DateOnly DeliveredOn, int Amount, DeliveryUnit Unit, string DeliveredBy, string? Note);
    public sealed record MessageDto(int Id, MessageSide Side, string AuthorName, string Text, DateTime At);
    public sealed record VersionRequest(Guid? Version);
    public sealed record DeclineRequest(ReferralOutcome? Outcome, string? Note, Guid? Version);
    public sealed record DeliveryRequest(DateOnly? DeliveredOn, int? Amount, DeliveryUnit? Unit, string? Note, Guid? Version);
    public sealed record CompleteRequest(string? Note, Guid? Version);
    public sealed record CloseRequest(ReferralOutcome? Outcome, string? Note, Guid? Version);
    public sealed record MessageRequest(string? Text);
    public sealed record CapacityRequest(int? OpenPlaces, bool? HasWaitlist, Guid? Version);
    public sealed record CapacityDto(int Id, string Name, int? OpenPlaces, bool HasWaitlist, bool Full, Guid Version);

    public static RouteGroupBuilder MapReferralsApi(this RouteGroupBuilder api)
    {
        var g = api.MapGroup("/referrals").RequireAuthorization(Policy).RequireRateLimiting(SuccessPlans.Web.Hosting.RateLimits.ApiKey).WithTags("Referrals (providers)");
        SuccessPlans.Web.Features.Audit.AccessLogApi.LogReferralReads(g);
        g.MapGet("/", ListAsync).WithName("ListReferrals").WithSummary("The organization's referrals, newest first; filter by status.");
        g.MapGet("/{id:int}", GetAsync).WithName("GetReferral").WithSummary("One referral, with what was shared and the services delivered.");
        g.MapPost("/{id:int}/accept", (int id, VersionRequest b, ProviderAccess a, ReferralService s, CancellationToken ct) =>
            ActAsync(id, a, ct, r => s.AcceptAsync(r, a.Actor, b.Version, ct))).WithName("AcceptReferral").WithSummary("Accept a sent referral.");
        g.MapPost("/{id:int}/decline", (int id, DeclineRequest b, ProviderAccess a, ReferralService s, CancellationToken ct) =>
            ActAsync(id, a, ct, r => s.DeclineAsync(r, b.Outcome, b.Note, a.Actor, b.Version, ct)))
            .WithName("DeclineReferral").WithSummary("Decline with an outcome (any but GotHelp; a note for CouldNotGetHelp). NoCapacity marks the service full.");
        g.MapPost("/{id:int}/deliveries", (int id, DeliveryRequest b, ProviderAccess a, ReferralService s, CancellationToken ct) =>
            ActAsync(id, a, ct, r => s.RecordDeliveryAsync(r, b.DeliveredOn, b.Amount, b.Unit, b.Note, a.Actor, b.Version, ct))).WithName("RecordDelivery").WithSummary("Record a service delivered.");
        g.MapPost("/{id:int}/complete", (int id, CompleteRequest b, ProviderAccess a, ReferralService s, CancellationToken ct) =>
            ActAsync(id, a, ct, r => s.CompleteAsync(r, b.Note, a.Actor, b.Version, ct))).WithName("CompleteReferral").WithSummary("Complete a referral in service: got help, goal met.");
        g.MapPost("/{id:int}/close", (int id, CloseRequest b, ProviderAccess a, ReferralService s, CancellationToken ct) =>
            ActAsync(id, a, ct, r => s.CloseAsync(r, b.Outcome, b.Note, a.Actor, b.Version, ct)))
            .WithName("CloseReferral").WithSummary("Close an accepted or in-service referral with an outcome: GotHelp completes it, any other closes it without success.");
        g.MapGet("/{id:int}/messages", MessagesAsync).WithName("ListReferralMessages").WithSummary("The messages between the school and the organization on this referral.");
        g.MapPost("/{id:int}/messages", PostMessageAsync).WithName("PostReferralMessage").WithSummary("Write to the referring school.");

        var services = api.MapGroup("/services").RequireAuthorization(Policy).RequireRateLimiting(SuccessPlans.Web.Hosting.RateLimits.ApiKey).WithTags("Referrals (providers)");
        services.MapGet("/", CapacityListAsync).WithName("ListServices").WithSummary("The organization's services with their capacity.");
        services.MapPut("/{id:int}/capacity", SetCapacityAsync).WithName("SetServiceCapacity").WithSummary("Set a service's open places (0 = full, null = not said) and waitlist.");
        return g;
    }

    private static async Task<Ok<List<ReferralDto>>> ListAsync(ProviderAccess access, ReferralStatus? status, SuccessPlans.Web.Features.Audit.AccessRecorder accessLog, CancellationToken ct)
    {
        var query = await access.ReferralsAsync(ct);
        if (status is { } s) query = query.Where(r => r.Status == s);
        var list = await query.Include(r => r.Service).Include(r => r.Deliveries).OrderByDescending(r => r.SentAt).ThenByDescending(r => r.Id).Take(1000).ToListAsync(ct);
        // Each item is the referral as the school shared it, so the list is as much a read of each child as GET /{id}.
        await accessLog.RecordManyAsync(SuccessPlans.Features.Audit.AccessAction.ApiRead, list.Select(r => (r.StudentId, (int?)r.Id)).ToList(), ct);
        return TypedResults.Ok(list.Select(ToDto).ToList());
    }

    private static async Task<Results<Ok<ReferralDto>, NotFoundProblem>> GetAsync(int id, ProviderAccess access, CancellationToken ct) =>
        await access.FindAsync(id, ct) is { } r ? TypedResults.Ok(ToDto(r)) : ApiProblems.NotFound("referral", id);

    private static async Task<Results<Ok<List<MessageDto>>, NotFoundProblem>> MessagesAsync(int id, ProviderAccess access, AppDbContext db, CancellationToken ct)
    {
        if (await access.FindAsync(id, ct) is null) return ApiProblems.NotFound("referral", id);
        return TypedResults.Ok(await db.ReferralMessages.Where(m => m.ReferralId == id).OrderBy(m => m.At).ThenBy(m => m.Id)
            .Select(m => new MessageDto(m.Id, m.Side, m.AuthorName, m.Text, m.At)).ToListAsync(ct));
    }

    private static async Task<Results<Created<MessageDto>, ValidationProblem, NotFoundProblem, ConflictProblem>> PostMessageAsync(int id, MessageRequest body, ProviderAccess access, ReferralService referrals, CancellationToken ct)
    {
        var referral = await access.FindAsync(id, ct);
        if (referral is null) return ApiProblems.NotFound("referral", id);
        return await CoreResults.RunAsync(async () =>
        {
            var m = await referrals.PostMessageAsync(referral, MessageSide.Provider, body.Text, access.Actor, ct);
            return TypedResults.Created($"/api/v1/referrals/{id}/messages", new MessageDto(m.Id, m.Side, m.AuthorName, m.Text, m.At));
        });
    }

    private static async Task<Ok<List<CapacityDto>>> CapacityListAsync(ProviderAccess access, AppDbContext db, CancellationToken ct)
    {
        var org = await access.OrganizationIdAsync(ct);
        return TypedResults.Ok(await db.Services.Where(s => s.OrganizationId == org).OrderBy(s => s.Name)
            .Select(s => new CapacityDto(s.Id, s.Name, s.Capacity, s.HasWaitlist, s.Capacity == 0, s.Version)).ToListAsync(ct));
    }

    private static async Task<Results<Ok<CapacityDto>, ValidationProblem, NotFoundProblem, ConflictProblem>> SetCapacityAsync(int id, CapacityRequest body, ProviderAccess access, AppDbContext db, CapacityService capacity, CancellationToken ct)
    {
        var org = await access.OrganizationIdAsync(ct);
        var service = await db.Services.SingleOrDefaultAsync(s => s.Id == id && s.OrganizationId == org, ct);
        if (service is null) return ApiProblems.NotFound("service", id);
        return await CoreResults.RunAsync(async () =>
        {
            await capacity.SetAsync(service, body.OpenPlaces, body.HasWaitlist ?? service.HasWaitlist, body.Version, ct);
            return TypedResults.Ok(new CapacityDto(service.Id, service.Name, service.Capacity, service.HasWaitlist, service.IsFull, service.Version));
        });
    }

    private static async Task<Results<Ok<ReferralDto>, ValidationProblem, NotFoundProblem, ConflictProblem>> ActAsync(int id, ProviderAccess access, CancellationToken ct, Func<Referral, Task> action)
    {
        var referral = await access.FindAsync(id, ct);
        if (referral is null) return ApiProblems.NotFound("referral", id);
        return await CoreResults.RunAsync(async () =>
        {
            await action(referral);
            return TypedResults.Ok(ToDto(referral));
        });
    }

    private static ReferralDto ToDto(Referral r) => new(r.Id, r.Status, r.Service.Name, r.ServiceId, r.SentAt, r.SharedChildName, r.SharedGrade, r.SharedSchool,
        r.SharedGuardianName, r.SharedGuardianContact, r.SharedNeed, r.Outcome, r.OutcomeNote, r.Version,
        r.Deliveries.OrderBy(d => d.DeliveredOn).Select(d => new DeliveryDto(d.Id, d.DeliveredOn, d.Amount, d.Unit, d.DeliveredBy, d.Note)).ToList());
}
