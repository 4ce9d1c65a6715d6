namespace SuccessPlans.Web.Features;

/// <summary>
/// The one resource of the forms' field names and the messages written on model attributes ([Display(Name = "…")],
/// ErrorMessage = "…"): Resources/Features/FormTexts.es.resx, keyed by the English text like the views.
/// </summary>
public sealed class FormTexts;
