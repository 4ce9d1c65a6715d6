using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SuccessPlans.Features.Users;

namespace SuccessPlans.Web.Features;

/// <summary>Sends each role to its own home page.</summary>
public class IndexModel : PageModel
{
    public IActionResult OnGet()
    {
        foreach (var role in new[] { Roles.Admin, Roles.Coordinator, Roles.Provider, Roles.Cabinet })
            if (User.IsInRole(role))
                return Redirect($"/Home/{role}");
        return User.IsInRole(Roles.Operator) ? Redirect("/Tenants") : Forbid();
    }
}
