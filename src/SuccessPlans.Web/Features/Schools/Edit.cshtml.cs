using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Schools;
using SuccessPlans.Features.Users;

namespace SuccessPlans.Web.Features.Schools;

[Authorize(Policy = Roles.Admin)]
public class EditModel(AppDbContext db, SchoolService schools, IStringLocalizer<EditModel> L) : PageModel
{
    [BindProperty] public SchoolInput Input { get; set; } = new();
    public bool IsNew => Input.Id == 0;

    public sealed class SchoolInput
    {
        public int Id { get; set; }
        [Required, StringLength(200), Display(Name = "Name")] public string Name { get; set; } = "";
        [StringLength(128), Display(Name = "OneRoster sourcedId (optional)")] public string? ExternalId { get; set; }
        public Guid Version { get; set; }
    }

    public async Task<IActionResult> OnGetAsync(int? id, CancellationToken ct)
    {
        if (id is null) return Page();
        var school = await db.Schools.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, ct);
        if (school is null) return NotFound();
        Input = new SchoolInput { Id = school.Id, Name = school.Name, ExternalId = school.ExternalId, Version = school.Version };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(int? id, CancellationToken ct)
    {
        Input.Id = id ?? 0;
        School? school = null;
        if (id is not null && (school = await db.Schools.SingleOrDefaultAsync(s => s.Id == id, ct)) is null)
            return NotFound();
        if (!ModelState.IsValid)
            return Page();
        try
        {
            school = await schools.SaveAsync(school, Input.Name, Input.ExternalId, Input.Version, ct);
        }
        catch (ValidationFailedException e)
        {
            ModelState.AddErrors(e, field => $"Input.{field}");
            return Page();
        }
        catch (ConcurrencyConflictException e)
        {
            // Show the current version, not the posted one, and say why.
            db.ChangeTracker.Clear();
            ModelState.Clear();
            await OnGetAsync(id, ct);
            ModelState.AddError(e);
            return Page();
        }
        TempData["Message"] = L["Saved {0}.", school.Name].Value;
        return RedirectToPage("/Schools/Index");
    }
}
