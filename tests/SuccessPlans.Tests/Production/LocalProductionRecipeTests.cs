using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace SuccessPlans.Tests.Production;

/// <summary>
/// The RUNBOOK's local production recipe without Docker, run as a newcomer runs it: the script starts nginx with a
/// throwaway certificate in front of two Production nodes on one database, and its check signs in over HTTPS.
/// </summary>
public class LocalProductionRecipeTests
{
    [Fact]
    public async Task The_runbooks_recipe_gives_a_working_https_sign_in()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var script = Path.Combine(Model.ModelTests.RepositoryRoot(), "infra", "scripts", "local-production.sh");
        var start = new ProcessStartInfo("bash", [script, "--check"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        // The app this test run built, instead of publishing it again.
        start.Environment["APP_DLL"] = typeof(Program).Assembly.Location;
        start.Environment["HTTPS_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await process.WaitForExitAsync(timeout.Token);
        var output = await stdout + await stderr;
        Assert.True(process.ExitCode == 0, output);
        Assert.Contains("HTTPS sign-in through nginx to two Production nodes works", output);
    }
}
