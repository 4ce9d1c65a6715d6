using System.Reflection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Referrals;

namespace SuccessPlans.Web.Hosting;

/// <summary>
/// Maps what a Core use case refuses onto ProblemDetails, one way for every endpoint: invalid input 400 with the
/// field errors, not found 404, an illegal state change or a stale version 409. Nothing was written in each case.
/// The results are typed, so the OpenAPI document lists each of them.
/// </summary>
public static class CoreResults
{
    public static async Task<Results<TOk, ValidationProblem, NotFoundProblem, ConflictProblem>> RunAsync<TOk>(Func<Task<TOk>> action)
        where TOk : IResult
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
            return new NotFoundProblem("Not found.", e.Message);
        }
        catch (IllegalTransitionException e)
        {
            return new ConflictProblem("Not allowed in this state.", e.Message);
        }
        catch (ConcurrencyConflictException e)
        {
            return new ConflictProblem("The record changed.", e.Message);
        }
    }
}

/// <summary>
/// A ProblemDetails answer whose status is in the endpoint's metadata (so the document lists it, as
/// application/problem+json), written by the app's ProblemDetails service like every other problem.
/// </summary>
public abstract class ProblemResult(int status, string title, string? detail) : IResult, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<ProblemDetails>, IContentTypeHttpResult
{
    private readonly ProblemHttpResult _inner = TypedResults.Problem(statusCode: status, title: title, detail: detail);

    public Task ExecuteAsync(HttpContext httpContext) => _inner.ExecuteAsync(httpContext);
    public int StatusCode => status;
    int? IStatusCodeHttpResult.StatusCode => status;
    public ProblemDetails Value => _inner.ProblemDetails;
    object? IValueHttpResult.Value => _inner.ProblemDetails;
    public string ContentType => _inner.ContentType;

    protected static void Describe(EndpointBuilder builder, int status, string description)
    {
        if (!builder.Metadata.OfType<IProducesResponseTypeMetadata>().Any(m => m.StatusCode == status))
            builder.Metadata.Add(new ProducesResponseTypeMetadata(status, typeof(ProblemDetails), ["application/problem+json"]) { Description = description });
    }
}

/// <summary>404: missing, another tenant's, or outside the caller's scope; the same answer for each.</summary>
public sealed class NotFoundProblem(string title, string? detail) : ProblemResult(StatusCodes.Status404NotFound, title, detail), IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        Describe(builder, StatusCodes.Status404NotFound, "Not found, or not one the caller can see.");
}

/// <summary>409: not allowed in the record's state, or the version sent is not the current one.</summary>
public sealed class ConflictProblem(string title, string? detail) : ProblemResult(StatusCodes.Status409Conflict, title, detail), IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        Describe(builder, StatusCodes.Status409Conflict, "Not allowed in this state, or the record changed since the version sent.");
}

/// <summary>The pages' side of the same mapping: a use case's field errors onto the form, each under its field's key.</summary>
public static class CorePageResults
{
    /// <summary>Adds each error of <paramref name="e"/>; <paramref name="key"/> turns a Core field name into the form's key (default: the same).</summary>
    /// <remarks>The messages are in the reader's language (<see cref="CoreText"/>).</remarks>
    public static void AddErrors(this Microsoft.AspNetCore.Mvc.ModelBinding.ModelStateDictionary state, ValidationFailedException e, Func<string, string>? key = null)
    {
        foreach (var (field, messages) in e.Messages)
            foreach (var message in messages)
                state.AddModelError(key is null ? field : key(field), CoreText.Show(message));
    }

    /// <summary>A use case's refusal (not found, not allowed now, changed meanwhile) as a form-wide error, in the reader's language.</summary>
    public static void AddError(this Microsoft.AspNetCore.Mvc.ModelBinding.ModelStateDictionary state, CoreException e)
    {
        if (e is ValidationFailedException v) state.AddErrors(v, _ => "");
        else state.AddModelError("", CoreText.Show(e.Text));
    }
}
