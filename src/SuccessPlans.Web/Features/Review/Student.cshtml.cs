using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SuccessPlans.Web.Features.Students;
using SuccessPlans.Web.Hosting;

namespace SuccessPlans.Web.Features.Review;

/// <summary>Reviews one student from their page: the walk of their grade, opened at them.</summary>
[Authorize(Policy = Policies.StaffOfSchools)]
public class StudentModel(StudentAccess access) : PageModel
{
    public async Task<IActionResult> OnGetAsync(int id, CancellationToken ct)
    {
        var student = await access.FindAsync(id, ct);
        if (student is null || student.Grade is null) return NotFound();
        return Redirect($"/Review/Walk?school={student.SchoolId}&grade={Uri.EscapeDataString(student.Grade)}&student={student.Id}");
    }
}
