using Microsoft.AspNetCore.Http.HttpResults;
using SuccessPlans.Features.Cabinet;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Users;
using SuccessPlans.Web.Hosting;

namespace SuccessPlans.Web.Features.Cabinet;

/// <summary>
/// /api/v1/cabinet: the dashboard as JSON for the city's own reporting, and each table as CSV. Counts only,
/// already suppressed: a suppressed figure has "value": null and "suppressed": true.
/// </summary>
public static class CabinetApi
{
    public static RouteGroupBuilder MapCabinetApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/cabinet").RequireAuthorization(Roles.Cabinet).RequireRateLimiting(SuccessPlans.Web.Hosting.RateLimits.Export).WithTags("Cabinet");
        group.MapGet("/dashboard", DashboardAsync).WithName("GetCabinetDashboard")
            .WithSummary("Services delivered, children served, referrals and needs met for a period, with breakdowns by domain, school, provider, service tier and month.")
            .WithDescription("A period is whole calendar months in the partnership's time zone: from and to are months (yyyy-MM), both included, " +
                "or dates (yyyy-MM-dd) that start and end a month; either defaults to the current school year's (August to July). " +
                "Any other range answers 400: two overlapping ranges of days would give a day's figures by subtraction.");
        group.MapGet("/tables/{table}.csv", CsvAsync).WithName("GetCabinetTableCsv")
            .WithSummary("One table of the dashboard as CSV: totals, domain, school, provider, tier or month.")
            .WithDescription("The same period as the dashboard: whole months (from and to as yyyy-MM), or 400.")
            .Produces<string>(StatusCodes.Status200OK, "text/csv");
        group.MapGet("/outcomes", OutcomesAsync).WithName("GetCabinetOutcomes")
            .WithSummary("Of the children served in a period, how many moved to a better attendance band, stayed or moved to a worse one, by domain, school and service tier.")
            .WithDescription("The same whole-month periods as the dashboard (else 400), and the same suppression: counts of children with their shares of the " +
                "children measured; a suppressed figure has \"value\": null. The band of the 30 days before the first month of service in the period is " +
                "compared with the band of the period's last 30 days. Never a child's record.");
        return group;
    }

    private static async Task<Results<Ok<Outcomes>, ValidationProblem>> OutcomesAsync(string? from, string? to, CabinetOutcomes outcomes, PlanService plans, CancellationToken ct)
    {
        var today = await plans.TodayAsync(ct);
        try
        {
            return TypedResults.Ok(await outcomes.BuildAsync(Period.Parse(from, to, today), today, ct));
        }
        catch (ValidationFailedException e)
        {
            return TypedResults.ValidationProblem(e.Errors, title: "The period is not valid.");
        }
    }

    private static async Task<Results<Ok<Dashboard>, ValidationProblem>> DashboardAsync(string? from, string? to, CabinetReport report, PlanService plans, CancellationToken ct)
    {
        var (dashboard, errors) = await BuildAsync(from, to, report, plans, ct);
        return dashboard is null ? TypedResults.ValidationProblem(errors!.Errors, title: "The period is not valid.") : TypedResults.Ok(dashboard);
    }

    private static async Task<Results<FileContentHttpResult, ValidationProblem, NotFoundProblem>> CsvAsync(string table, string? from, string? to, CabinetReport report, PlanService plans, CancellationToken ct)
    {
        if (table != "totals" && !Tables.Contains(table))
            return new NotFoundProblem($"No table {table}.", $"The tables are: totals, {string.Join(", ", Tables)}.");
        var (dashboard, errors) = await BuildAsync(from, to, report, plans, ct);
        if (dashboard is null) return TypedResults.ValidationProblem(errors!.Errors, title: "The period is not valid.");
        var csv = table == "totals" ? DashboardCsv.WriteTotals(dashboard) : DashboardCsv.Write(dashboard, dashboard.Table(table));
        // With a byte-order mark, so that a spreadsheet opens the names of schools and providers in UTF-8.
        byte[] bytes = [.. System.Text.Encoding.UTF8.GetPreamble(), .. System.Text.Encoding.UTF8.GetBytes(csv)];
        return TypedResults.File(bytes, "text/csv; charset=utf-8", string.Create(System.Globalization.CultureInfo.InvariantCulture, $"services-{table}-{dashboard.From:yyyy-MM}-to-{dashboard.To:yyyy-MM}.csv"));
    }

    public static readonly string[] Tables = ["domain", "school", "provider", "tier", "month"];

    /// <summary>Parses the period (shared with the page) and builds the dashboard, or says what is wrong.</summary>
    public static async Task<(Dashboard? Dashboard, ValidationFailedException? Errors)> BuildAsync(string? from, string? to, CabinetReport report, PlanService plans, CancellationToken ct)
    {
        try
        {
            return (await report.BuildAsync(Period.Parse(from, to, await plans.TodayAsync(ct)), ct), null);
        }
        catch (ValidationFailedException e)
        {
            return (null, e);
        }
    }
}
