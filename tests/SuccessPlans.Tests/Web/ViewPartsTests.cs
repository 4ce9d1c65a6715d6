using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using SuccessPlans.Web.Features.Shared;

namespace SuccessPlans.Tests.Web;

/// <summary>The pieces of HTML pages write by code (the error list was a partial view): the same HTML, every message encoded.</summary>
public class ViewPartsTests
{
    private static string Html(Microsoft.AspNetCore.Html.IHtmlContent content)
    {
        using var writer = new StringWriter();
        content.WriteTo(writer, HtmlEncoder.Default);
        return writer.ToString();
    }

    [Fact]
    public void No_error_writes_nothing()
    {
        var state = new ModelStateDictionary();
        state.SetModelValue("Name", "Mia", "Mia");
        Assert.Equal("", Html(ViewParts.Errors(state)));
    }

    [Fact]
    public void Each_message_is_listed_once_and_encoded()
    {
        var state = new ModelStateDictionary();
        state.AddModelError("", "Close the plan first.");
        state.AddModelError("Name", "<script>alert('x')</script> & more");
        state.AddModelError("Other", "Close the plan first.");
        Assert.Equal(
            "<div class=\"errors\" role=\"alert\"><ul><li>Close the plan first.</li><li>&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; more</li></ul></div>",
            Html(ViewParts.Errors(state)));
    }

    [Fact]
    public void A_fields_error_is_its_first_message_encoded_and_nothing_without_one()
    {
        var state = new ModelStateDictionary();
        state.SetModelValue("Items[0].Kind", "", "");
        Assert.Equal("", Html(ViewParts.FieldError(state, "Items[0].Kind")));
        state.AddModelError("Items[1].Kind", "Choose <strength>, need or interest.");
        state.AddModelError("Items[1].Kind", "A second message.");
        Assert.Equal("", Html(ViewParts.FieldError(state, "Items[0].Kind")));
        Assert.Equal("Choose &lt;strength&gt;, need or interest.", Html(ViewParts.FieldError(state, "Items[1].Kind")));
        // A binding error may carry its exception only.
        state.AddModelError("Tier", new FormatException(), new Microsoft.AspNetCore.Mvc.ModelBinding.EmptyModelMetadataProvider().GetMetadataForType(typeof(int)));
        Assert.NotEqual("", Html(ViewParts.FieldError(state, "Tier")));
    }

    [Fact]
    public void The_attendance_band_is_its_words_and_rate_the_rate_alone_or_the_views_no_data()
    {
        var noData = new Microsoft.AspNetCore.Html.HtmlString("sin datos");
        Assert.Equal("<span class=\"attendance-band\">At risk (94.4%)</span>",
            Html(ViewParts.AttendanceBand(SuccessPlans.Features.Indicators.AttendanceBand.AtRisk, 944, noData)));
        Assert.Equal("<span class=\"attendance-band\">94.4%</span>", Html(ViewParts.AttendanceBand(null, 944, noData)));
        Assert.Equal("<span class=\"muted\">sin datos</span>", Html(ViewParts.AttendanceBand(null, null, noData)));
    }
}
