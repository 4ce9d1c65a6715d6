using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Referrals;

namespace SuccessPlans.Web.Hosting;

/// <summary>
/// Maps what a Core use case refuses onto ProblemDetails, one way for every endpoint: invalid input 400 with the
/// field errors, not found 404, an illegal state change or a stale version 409. Nothing was written in each case.
/// </summary>
public static class CoreResults
{
    public static async Task<IResult> RunAsync(Func<Task<IResult>> action)
    {
        try
        {
            return await action();
        }
        catch (ValidationFailedException e)
        {
            return TypedResults.ValidationProblem(e.Errors, title: "The request is not valid; nothing was changed.");
        }
        catch (NotFoundException e)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found.", detail: e.Message);
        }
        catch (IllegalTransitionException e)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not allowed in this state.", detail: e.Message);
        }
        catch (ConcurrencyConflictException e)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The record changed.", detail: e.Message);
        }
    }
}
