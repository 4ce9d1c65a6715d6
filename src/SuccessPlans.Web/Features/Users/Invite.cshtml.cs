using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using SuccessPlans.Features.Users;

namespace SuccessPlans.Web.Features.Users;

[Authorize(Policy = Roles.Admin)]
public class InviteModel(AppDbContext db, Invitations invitations, UserScopeService scopes, IStringLocalizer<InviteModel> L) : PageModel
{
    [BindProperty] public InviteInput Input { get; set; } = new();
    public UserFormChoices Choices { get; private set; } = new();

    public sealed class InviteInput : UserInput
    {
        [Required, EmailAddress, StringLength(256), Display(Name = "Email")]
        public string Email { get; set; } = "";
    }

    public async Task OnGetAsync(CancellationToken ct) => Choices = await UserFormChoices.LoadAsync(db, ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        foreach (var (field, message) in await UserFormChoices.ValidateAsync(scopes, Input, nameof(Input), ct))
            ModelState.AddModelError(field, message);
        if (!ModelState.IsValid)
        {
            Choices = await UserFormChoices.LoadAsync(db, ct);
            return Page();
        }

        var tenantName = await db.Tenants.Select(t => t.Name).SingleAsync(ct);
        var (user, errors) = await invitations.InviteAsync(
            new Invitations.Request(Input.Email, Input.DisplayName, Input.Role!.Value, Input.SchoolIds, Input.ProviderOrganizationId),
            tenantName, ct);
        if (user is null)
        {
            foreach (var e in errors) ModelState.AddModelError("Input.Email", e);
            Choices = await UserFormChoices.LoadAsync(db, ct);
            return Page();
        }
        TempData["Message"] = L["Invitation sent to {0}.", user.Email ?? ""].Value;
        return RedirectToPage("/Users/Index");
    }
}
