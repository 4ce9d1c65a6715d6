using System.Net;
using AngleSharp;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Io;

namespace SuccessPlans.Tests.Infrastructure;

/// <summary>Posts real forms, antiforgery token included, the way a browser would (AngleSharp's form submission).</summary>
public static class Forms
{
    public static async Task<IHtmlDocument> GetDocumentAsync(this HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url} answered {(int)response.StatusCode}");
        return await ParseAsync(response);
    }

    public static async Task<IHtmlDocument> ParseAsync(HttpResponseMessage response)
    {
        var html = await response.Content.ReadAsStringAsync();
        var context = BrowsingContext.New(Configuration.Default);
        var document = await context.OpenAsync(r => r.Content(html).Address(response.RequestMessage!.RequestUri!));
        return (IHtmlDocument)document;
    }

    /// <summary>Loads the page, fills the named fields of its form, and submits it with the given button.</summary>
    public static async Task<HttpResponseMessage> SubmitFormAsync(this HttpClient client, string url, Dictionary<string, string> fields,
        string formSelector = "main form", string? buttonSelector = null, string[]? check = null, string[]? uncheck = null)
    {
        var document = await client.GetDocumentAsync(url);
        var form = document.QuerySelector(formSelector) as IHtmlFormElement ?? throw new InvalidOperationException($"No form '{formSelector}' on {url}");
        foreach (var (name, value) in fields)
        {
            var radios = form.Elements.OfType<IHtmlInputElement>().Where(e => e.Name == name && e.Type == "radio").ToList();
            if (radios.Count > 0)
            {
                foreach (var radio in radios) radio.IsChecked = radio.Value == value;
                if (!radios.Any(r => r.IsChecked)) throw new InvalidOperationException($"No option '{value}' for '{name}' on {url}");
                continue;
            }
            var element = form.Elements.FirstOrDefault(e => e.GetAttribute("name") == name) ?? throw new InvalidOperationException($"No field '{name}' on {url}");
            switch (element)
            {
                case IHtmlInputElement input: input.Value = value; break;
                case IHtmlSelectElement select: select.Value = value; break;
                case IHtmlTextAreaElement area: area.Value = value; break;
            }
        }
        foreach (var c in check ?? []) SetChecked(form, c, true);
        foreach (var c in uncheck ?? []) SetChecked(form, c, false);
        var button = (buttonSelector is null ? form.QuerySelector("button[type=submit]") : form.QuerySelector(buttonSelector)) as IHtmlElement
                     ?? throw new InvalidOperationException("No submit button");
        // Server-side validation is what the tests check, so the browser's own checks are skipped.
        form.SetAttribute("novalidate", "");
        return await client.SendAsync(ToRequest(form.GetSubmission(button)!, form));
    }

    /// <summary>Submits the form of a page already loaded, as a click on this button would, after filling the named fields.</summary>
    public static async Task<HttpResponseMessage> SubmitAsync(this HttpClient client, IHtmlElement button, Dictionary<string, string>? fields = null)
    {
        var form = button.Closest("form") as IHtmlFormElement ?? throw new InvalidOperationException("The button is in no form");
        foreach (var (name, value) in fields ?? [])
            switch (form.Elements.FirstOrDefault(e => e.GetAttribute("name") == name) ?? throw new InvalidOperationException($"No field '{name}'"))
            {
                case IHtmlInputElement input: input.Value = value; break;
                case IHtmlSelectElement select: select.Value = value; break;
                case IHtmlTextAreaElement area: area.Value = value; break;
            }
        form.SetAttribute("novalidate", "");
        return await client.SendAsync(ToRequest(form.GetSubmission(button)!, form));
    }

    private static void SetChecked(IHtmlFormElement form, string nameEqualsValue, bool value)
    {
        var (name, val) = nameEqualsValue.Split('=') is [var n, var v] ? (n, v) : (nameEqualsValue, null);
        foreach (var input in form.Elements.OfType<IHtmlInputElement>().Where(i => i.Name == name && (val is null || i.Value == val)))
            input.IsChecked = value;
    }

    private static HttpRequestMessage ToRequest(DocumentRequest submission, IHtmlFormElement form)
    {
        var request = new HttpRequestMessage(new System.Net.Http.HttpMethod(submission.Method.ToString().ToUpperInvariant()), submission.Target.Href);
        if (submission.Body is { } body && submission.Method == AngleSharp.Io.HttpMethod.Post)
        {
            var content = new StreamContent(body);
            foreach (var header in submission.Headers)
                content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            request.Content = content;
        }
        return request;
    }

    public static string Location(this HttpResponseMessage response) =>
        response.Headers.Location?.OriginalString ?? throw new InvalidOperationException($"No Location header (status {(int)response.StatusCode})");
}
