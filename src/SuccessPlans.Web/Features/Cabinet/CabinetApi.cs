using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using SuccessPlans.Features.Cabinet;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Users;

namespace SuccessPlans.Web.Features.Cabinet;

/// <summary>
/// /api/v1/cabinet: the dashboard as JSON for the city's own reporting, and each table as CSV. Counts only,
/// already suppressed: a suppressed figure has "value": null and "suppressed": true.
/// </summary>
public static class CabinetApi
{
    public static RouteGroupBuilder MapCabinetApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/cabinet").RequireAuthorization(Roles.Cabinet).WithTags("Cabinet");
        group.MapGet("/dashboard", DashboardAsync)
            .WithSummary("Services delivered, children served, referrals and needs met for a period, with breakdowns by domain, school, provider, service tier and month.")
            .WithDescription("from and to are dates (yyyy-MM-dd) in the partnership's time zone, both included; either defaults to the current school year's (1 August to 31 July).");
        group.MapGet("/tables/{table}.csv", CsvAsync)
            .WithSummary("One table of the dashboard as CSV: totals, domain, school, provider, tier or month.")
            .Produces<string>(StatusCodes.Status200OK, "text/csv");
        return group;
    }

    private static async Task<Results<Ok<Dashboard>, ValidationProblem>> DashboardAsync(string? from, string? to, CabinetReport report, PlanService plans, CancellationToken ct)
    {
        var (dashboard, errors) = await BuildAsync(from, to, report, plans, ct);
        return dashboard is null ? TypedResults.ValidationProblem(errors!, title: "The period is not valid.") : TypedResults.Ok(dashboard);
    }

    private static async Task<Results<FileContentHttpResult, ValidationProblem, ProblemHttpResult>> CsvAsync(string table, string? from, string? to, CabinetReport report, PlanService plans, CancellationToken ct)
    {
        if (table != "totals" && !Tables.Contains(table))
            return TypedResults.Problem(statusCode: 404, title: $"No table {table}.", detail: $"The tables are: totals, {string.Join(", ", Tables)}.");
        var (dashboard, errors) = await BuildAsync(from, to, report, plans, ct);
        if (dashboard is null) return TypedResults.ValidationProblem(errors!, title: "The period is not valid.");
        var csv = table == "totals" ? DashboardCsv.WriteTotals(dashboard) : DashboardCsv.Write(dashboard, dashboard.Table(table));
        // With a byte-order mark, so that a spreadsheet opens the names of schools and providers in UTF-8.
        byte[] bytes = [.. System.Text.Encoding.UTF8.GetPreamble(), .. System.Text.Encoding.UTF8.GetBytes(csv)];
        return TypedResults.File(bytes, "text/csv; charset=utf-8", string.Create(CultureInfo.InvariantCulture, $"services-{table}-{dashboard.From:yyyy-MM-dd}-to-{dashboard.To:yyyy-MM-dd}.csv"));
    }

    public static readonly string[] Tables = ["domain", "school", "provider", "tier", "month"];

    /// <summary>Parses the period (shared with the page) and builds the dashboard, or says what is wrong.</summary>
    public static async Task<(Dashboard? Dashboard, IDictionary<string, string[]>? Errors)> BuildAsync(string? from, string? to, CabinetReport report, PlanService plans, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var fromDate = ParseDate(from, "from", errors);
        var toDate = ParseDate(to, "to", errors);
        if (errors.Count > 0) return (null, errors);
        try
        {
            return (await report.BuildAsync(Period.Parse(fromDate, toDate, await plans.TodayAsync(ct)), ct), null);
        }
        catch (ValidationFailedException e)
        {
            return (null, e.Errors);
        }
    }

    private static DateOnly? ParseDate(string? value, string name, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (DateOnly.TryParseExact(value.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) && date.Year is >= 2000 and <= 2100)
            return date;
        errors[name] = [$"'{value}' is not a date: write it as yyyy-MM-dd, e.g. 2026-08-01."];
        return null;
    }
}
