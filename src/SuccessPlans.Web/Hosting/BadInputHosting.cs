using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.ModelBinding.Binders;

namespace SuccessPlans.Web.Hosting;

/// <summary>
/// Bad input is the caller's mistake, never a 500: a form shows itself again with a field error, the API answers
/// 400 ProblemDetails naming the field, in every environment.
/// </summary>
public static class BadInputHosting
{
    public static void AddBadInputHandling(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<Microsoft.AspNetCore.Mvc.MvcOptions>(o => o.ModelBinderProviders.Insert(0, new CheckboxBinderProvider()));
        // Minimal APIs throw on a body or parameter they cannot bind (outside Development they would answer a bare
        // 400 that names nothing); the handler below turns that into a ProblemDetails naming the field.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddExceptionHandler<BadRequestProblems>();
    }
}

/// <summary>
/// Why garbage in a checkbox answered 500: re-rendering the form, the checkbox tag helper converts the posted raw
/// value back to bool (DefaultHtmlGenerator.GenerateCheckBox) and throws on anything but true/false. A bool that
/// fails to bind keeps its field error, but not that raw value, so the form shows again with the error.
/// </summary>
internal sealed class CheckboxBinderProvider : IModelBinderProvider
{
    public IModelBinder? GetBinder(ModelBinderProviderContext context) =>
        context.Metadata.UnderlyingOrModelType == typeof(bool)
            ? new CheckboxBinder(new SimpleTypeModelBinder(context.Metadata.ModelType, context.Services.GetRequiredService<ILoggerFactory>()))
            : null;

    private sealed class CheckboxBinder(IModelBinder inner) : IModelBinder
    {
        public async Task BindModelAsync(ModelBindingContext context)
        {
            await inner.BindModelAsync(context);
            if (!context.Result.IsModelSet && context.ModelState.TryGetValue(context.ModelName, out var entry) && entry.Errors.Count > 0)
                context.ModelState.SetModelValue(context.ModelName, rawValue: null, attemptedValue: entry.AttemptedValue);
        }
    }
}

/// <summary>A minimal API's binding failure (malformed JSON, an unknown enum name, a wrong type, a bad query value) as 400 ProblemDetails.</summary>
internal sealed partial class BadRequestProblems(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        if (exception is not BadHttpRequestException bad || http.Response.HasStarted)
            return false;
        var (field, message) = Describe(http, bad);
        http.Response.StatusCode = bad.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            Exception = exception,
            ProblemDetails = new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
            {
                Status = bad.StatusCode,
                Title = bad.StatusCode == StatusCodes.Status400BadRequest ? "The request is not valid." : "The request cannot be read.",
            },
        });
    }

    private static (string Field, string Message) Describe(HttpContext http, BadHttpRequestException bad)
    {
        if (bad.InnerException is JsonException json)
        {
            var path = (json.Path ?? "").TrimStart('$').TrimStart('.');
            var field = path.Length == 0 ? "body" : path;
            // The reader's own error inside: the text is not JSON at all.
            if (json.InnerException is JsonException)
                return (field, $"The body is not valid JSON (line {json.LineNumber + 1}, position {json.BytePositionInLine + 1}).");
            if (path.Length == 0)
                return (field, "The body must be a JSON object.");
            var type = PropertyType(http, path);
            return (field, type is { IsEnum: true }
                ? $"'{path}' must be one of: {string.Join(", ", Enum.GetNames(type))}."
                : $"'{path}' is not a valid {Describe(type)}.");
        }
        // "Failed to bind parameter "int? page" from "x"." / "Required parameter "T b" was not provided from body."
        if (ParameterName().Match(bad.Message) is { Success: true } m)
            return bad.Message.Contains("from body", StringComparison.Ordinal) || bad.Message.Contains("request body", StringComparison.Ordinal)
                ? ("body", "A JSON body is required.")
                : (m.Groups[1].Value, $"'{m.Groups[1].Value}' has a value that is not valid here.");
        return ("body", "The request could not be read.");
    }

    /// <summary>The type the JSON path leads to in the endpoint's request type, to say what was expected.</summary>
    private static Type? PropertyType(HttpContext http, string path)
    {
        // The exception handler has cleared the request's endpoint; its feature keeps it.
        var endpoint = http.Features.Get<IExceptionHandlerFeature>()?.Endpoint ?? http.GetEndpoint();
        var type = endpoint?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType;
        foreach (var segment in path.Split('.'))
        {
            if (type is null) return null;
            var name = segment.Split('[')[0];
            type = type.GetProperty(name, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase)?.PropertyType;
            if (type is not null && segment.Contains('[') && type.IsGenericType) type = type.GetGenericArguments()[0];
        }
        return type is null ? null : Nullable.GetUnderlyingType(type) ?? type;
    }

    private static string Describe(Type? type) => type switch
    {
        null => "value",
        _ when type == typeof(string) => "text",
        _ when type == typeof(int) || type == typeof(long) => "whole number",
        _ when type == typeof(bool) => "true or false",
        _ when type == typeof(DateOnly) => "date (yyyy-MM-dd)",
        _ when type == typeof(Guid) => "version (a GUID)",
        _ when type.IsGenericType && typeof(System.Collections.IEnumerable).IsAssignableFrom(type) => "list",
        _ => "object",
    };

    [GeneratedRegex("parameter \"(?:[^\"]* )?(\\w+)\"")]
    private static partial Regex ParameterName();
}
