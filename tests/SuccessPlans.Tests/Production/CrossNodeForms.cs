using AngleSharp.Html.Dom;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Production;

/// <summary>A form loaded from one node and submitted to another, as a load balancer may route a browser's two requests.</summary>
public static class CrossNodeForms
{
    public static async Task<HttpResponseMessage> SubmitFormToAsync(this HttpClient loadFrom, HttpClient submitTo, string url, Dictionary<string, string> fields, string formSelector = "main form")
    {
        var document = await loadFrom.GetDocumentAsync(url);
        var form = document.QuerySelector(formSelector) as IHtmlFormElement ?? throw new InvalidOperationException($"No form '{formSelector}' on {url}");
        foreach (var (name, value) in fields)
        {
            switch (form.Elements.FirstOrDefault(e => e.GetAttribute("name") == name) ?? throw new InvalidOperationException($"No field '{name}' on {url}"))
            {
                case IHtmlInputElement input: input.Value = value; break;
                case IHtmlSelectElement select: select.Value = value; break;
                case IHtmlTextAreaElement area: area.Value = value; break;
            }
        }
        form.SetAttribute("novalidate", "");
        var submission = form.GetSubmission((IHtmlElement)form.QuerySelector("button[type=submit]")!)!;
        var request = new HttpRequestMessage(HttpMethod.Post, submission.Target.Href) { Content = new StreamContent(submission.Body) };
        foreach (var header in submission.Headers)
            request.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        return await submitTo.SendAsync(request);
    }

    /// <summary>The second step of signing in, its form loaded from one node and posted to the other: the two-factor cookie crosses nodes too.</summary>
    public static async Task<HttpResponseMessage> SecondFactorToAsync(this HttpClient loadFrom, HttpClient submitTo, HttpResponseMessage passwordAccepted, string authenticatorKey)
    {
        var location = passwordAccepted.Headers.Location?.OriginalString ?? "";
        Assert.Contains("/Account/LoginWith2fa", location);
        return await loadFrom.SubmitFormToAsync(submitTo, location, new() { ["Code"] = Totp.Code(authenticatorKey) });
    }

    /// <summary>Forced enrolment of a user who must have a second factor: the key from one node's page, the code posted to the other.</summary>
    public static async Task<HttpResponseMessage> EnrolTwoFactorToAsync(this HttpClient loadFrom, HttpClient submitTo)
    {
        var page = await loadFrom.GetDocumentAsync("/Account/TwoFactor");
        var key = page.QuerySelector("#shared-key")!.TextContent.Trim();
        var enrolled = await loadFrom.SubmitFormToAsync(submitTo, "/Account/TwoFactor", new() { ["Code"] = Totp.Code(key) });
        Assert.Equal(System.Net.HttpStatusCode.OK, enrolled.StatusCode);
        Assert.Contains("Your recovery codes", await enrolled.Content.ReadAsStringAsync());
        return enrolled;
    }
}
