using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Retention;
using SuccessPlans.Features.Students;
using SuccessPlans.Features.Users;
using SuccessPlans.Web.Features.Account;

namespace SuccessPlans.Web.Features.Students;

/// <summary>An Admin erases one child's record on request, after typing the child's name or id (the rules are StudentErasure's).</summary>
[Authorize(Policy = Roles.Admin)]
public class EraseModel(AppDbContext db, StudentErasure erasure, CurrentUser me, SuccessPlans.Web.Features.Audit.AccessRecorder recorder) : PageModel
{
    public Student Student { get; private set; } = null!;
    public int Referrals { get; private set; }

    [BindProperty] public string? Confirmation { get; set; }

    public async Task<IActionResult> OnGetAsync(int id, CancellationToken ct) =>
        await LoadAsync(id, ct) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(int id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        try
        {
            var erased = await erasure.EraseAsync(id, Confirmation, new Actor(me.Id, me.DisplayName), me.Email, ct);
            // The act is in the tenant's access log too (by the child's number only), where the Admin reviews the rest.
            await recorder.RecordAsync(SuccessPlans.Features.Audit.AccessAction.Erasure, id, ct: ct);
            TempData["Message"] = $"The child's record was erased. {erased.ReferralsKept} referral(s) stay in the cabinet's counts without the child; {erased.EmailsRemoved} email(s) naming them were removed.";
            return RedirectToPage("/Students/Index");
        }
        catch (ValidationFailedException e)
        {
            ModelState.AddErrors(e);
            return Page();
        }
        catch (NotFoundException)
        {
            return NotFound();
        }
    }

    private async Task<bool> LoadAsync(int id, CancellationToken ct)
    {
        // An Admin sees the whole tenant; the tenant filter keeps other tenants out.
        var student = await db.Students.AsNoTracking().Include(s => s.School).SingleOrDefaultAsync(s => s.Id == id && s.Status != StudentStatus.Erased, ct);
        if (student is null) return false;
        Student = student;
        Referrals = await db.Referrals.CountAsync(r => r.StudentId == id, ct);
        return true;
    }
}
