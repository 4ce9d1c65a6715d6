using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using SuccessPlans.Features.Audit;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Users;

namespace SuccessPlans.Web.Features.Audit;

/// <summary>
/// A guardian's request, "who has seen or received my child's record", answered from the access log and the
/// disclosure log as one printable page. Preparing it is itself logged.
/// </summary>
[Authorize(Policy = Roles.Admin)]
public class StudentModel(AccessLog log, AccessRecorder recorder) : PageModel
{
    [BindProperty(SupportsGet = true)] public DateOnly? From { get; set; }
    [BindProperty(SupportsGet = true)] public DateOnly? To { get; set; }

    public GuardianReport? Report { get; private set; }

    public async Task<IActionResult> OnGetAsync(int id, CancellationToken ct)
    {
        // A date that does not parse reads as no date (the default period), and says so.
        var (from, to) = (ModelState.IsValid ? From : null, ModelState.IsValid ? To : null);
        try
        {
            Report = await log.GuardianReportAsync(id, from, to, ct);
        }
        catch (NotFoundException)
        {
            return NotFound();
        }
        catch (ValidationFailedException e)
        {
            foreach (var (field, messages) in e.Errors) foreach (var m in messages) ModelState.AddModelError(field, m);
            Report = await log.GuardianReportAsync(id, null, null, ct);
        }
        From = Report.From;
        To = Report.To;
        await recorder.RecordAsync(AccessAction.ViewAccessReport, id, ct: ct);
        return Page();
    }

    /// <summary>The role in words a parent reads.</summary>
}
