using System.Globalization;
using System.Runtime.CompilerServices;

namespace SuccessPlans.Tests.Infrastructure;

/// <summary>
/// The whole suite runs as on a server with a non-English culture (TEST_CULTURE, de-DE unless set: comma decimals,
/// dotted dates), so a machine format written with the server's culture fails a test. TEST_CULTURE=ar-SA tries the
/// Um al-Qura calendar.
/// </summary>
internal static class TestCulture
{
    public static CultureInfo Server { get; } = CultureInfo.GetCultureInfo(
        Environment.GetEnvironmentVariable("TEST_CULTURE") is { Length: > 0 } name ? name : "de-DE");

    [ModuleInitializer]
    internal static void Apply()
    {
        (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (Server, Server);
        (CultureInfo.DefaultThreadCurrentCulture, CultureInfo.DefaultThreadCurrentUICulture) = (Server, Server);
        // EF Core's check that no two operations share a context, off in production (DatabaseSettings.ThreadSafetyChecks):
        // every app the suite starts, in this process or as a child, runs with it, so a query left unawaited fails a test.
        Environment.SetEnvironmentVariable("Database__ThreadSafetyChecks", "true");
    }

    /// <summary>Reads <paramref name="read"/> as a request in <paramref name="uiCulture"/> would; the thread's cultures are put back after.</summary>
    public static T ReadIn<T>(string uiCulture, Func<T> read)
    {
        var (ui, format) = (CultureInfo.CurrentUICulture, CultureInfo.CurrentCulture);
        try
        {
            CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(uiCulture);
            return read();
        }
        finally
        {
            (CultureInfo.CurrentUICulture, CultureInfo.CurrentCulture) = (ui, format);
        }
    }
}
