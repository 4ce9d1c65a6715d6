namespace SuccessPlans.Web;

/// <summary>Names the resource of Core's messages, Resources/CoreMessages.es.resx (see <see cref="Hosting.CoreText"/>).</summary>
public sealed class CoreMessages;
