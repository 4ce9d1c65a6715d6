using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SuccessPlans.Features.Cabinet;
using SuccessPlans.Features.Plans;

namespace SuccessPlans.Web.Features.Cabinet;

/// <summary>
/// The cabinet's dashboard (Admins see it too): counts and charts for a period, each chart with its table, every
/// figure already suppressed by <see cref="CabinetReport"/>. No child's name, id or row ever reaches this page.
/// </summary>
public class IndexModel(CabinetReport report, CabinetOutcomes outcomes, PlanService plans) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? From { get; set; }
    [BindProperty(SupportsGet = true)] public string? To { get; set; }

    public Dashboard? Dashboard { get; private set; }
    public Outcomes? Outcomes { get; private set; }
    public Period ThisYear { get; private set; } = null!;
    public Period LastYear { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken ct)
    {
        var today = await plans.TodayAsync(ct);
        ThisYear = Period.SchoolYearOf(today);
        LastYear = Period.SchoolYearOf(ThisYear.From.AddDays(-1));
        var (dashboard, errors) = await CabinetApi.BuildAsync(From, To, report, plans, ct);
        if (errors is not null)
        {
            ModelState.AddErrors(errors);
            // The page still answers with the school year, and says why the period asked for was not used.
            dashboard = await report.BuildAsync(ThisYear, ct);
        }
        Dashboard = dashboard;
        Outcomes = await outcomes.BuildAsync(new Period(dashboard!.From, dashboard.To), today, ct);
        From = Month(Dashboard!.From);
        To = Month(Dashboard.To);
    }

    /// <summary>A month as the month pickers and the API read it (yyyy-MM).</summary>
    public static string Month(DateOnly d) => d.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The CSV link of a table for the period on screen.</summary>
    public string CsvUrl(string table) => $"/api/v1/cabinet/tables/{table}.csv?from={Month(Dashboard!.From)}&to={Month(Dashboard.To)}";

    public string? ErrorOf(string field) => ModelState.TryGetValue(field, out var e) && e.Errors.Count > 0 ? e.Errors[0].ErrorMessage : null;

    /// <summary>A share of the measured children, or why there is none.</summary>
    public static string Percent(int? share, Figure f, Microsoft.AspNetCore.Mvc.Localization.IHtmlLocalizer words) =>
        share is { } p ? Readable.Percent(p / 100.0) : Show(f, words);

    /// <summary>A figure on screen and in a chart's summary, in the reader's culture and language.</summary>
    public static string Show(Figure f, Microsoft.AspNetCore.Mvc.Localization.IHtmlLocalizer words) =>
        f.Value?.ToString("N0", System.Globalization.CultureInfo.CurrentCulture) ?? words[f.Suppressed ? "suppressed" : "none yet"].Value;
}
