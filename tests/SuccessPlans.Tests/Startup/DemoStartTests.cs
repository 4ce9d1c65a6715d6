using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Startup;

/// <summary>
/// The newcomer's first minute: the app listens at once and says it is preparing the demo while it seeds, then shows
/// the sign-in page. Runs the real app as a process, as `dotnet run` does.
/// </summary>
public class DemoStartTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("successplans-demo-start-").FullName;

    [Fact]
    public async Task The_app_answers_preparing_the_demo_while_it_seeds_and_then_the_sign_in_page()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var start = new ProcessStartInfo("dotnet", [typeof(Program).Assembly.Location])
        {
            WorkingDirectory = _dir, RedirectStandardError = true, RedirectStandardOutput = true,
        };
        // As `dotnet run` starts it (Development: the demo, plain HTTP); no file watchers on a busy test machine.
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["DOTNET_hostBuilder__reloadConfigOnChange"] = "false";
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["Jobs__RunServer"] = "false";
        start.Environment["Demo__Enabled"] = "true";
        start.Environment["Demo__SeedDataDirectory"] = Path.Combine(Model.ModelTests.RepositoryRoot(), "seed-data", "demo");
        start.Environment["ConnectionStrings__Sqlite"] = $"Data Source={Path.Combine(_dir, "app.db")}";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
            var answers = new List<HttpStatusCode>();
            HttpResponseMessage? first = null;
            var deadline = DateTime.UtcNow.AddMinutes(3);
            while (DateTime.UtcNow < deadline && !process.HasExited)
            {
                try
                {
                    var response = await http.GetAsync("/Account/Login");
                    first ??= response;
                    answers.Add(response.StatusCode);
                    if (response.StatusCode == HttpStatusCode.OK) break;
                    if (answers.Count == 1)
                    {
                        // While seeding: the liveness probe answers, the rest is "preparing".
                        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
                        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("/api/v1/schools")).StatusCode);
                    }
                }
                catch (HttpRequestException) { } // not listening yet
                await Task.Delay(100);
            }
            Assert.True(first is not null, $"the app never answered: {(process.HasExited ? await stdout : "")}");
            // The first answer came while the demo was being made: 503, Retry-After, a page that refreshes itself.
            Assert.Equal(HttpStatusCode.ServiceUnavailable, first!.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(3), first.Headers.RetryAfter?.Delta);
            var page = await first.Content.ReadAsStringAsync();
            Assert.Contains("Preparing the demo", page);
            Assert.Contains("http-equiv=\"refresh\"", page);
            // Then the sign-in page, with the demo's data behind it.
            Assert.Equal(HttpStatusCode.OK, answers[^1]);
        }
        finally
        {
            await ChildProcesses.StopAsync(process);
        }
        // Once seeded, the node handed the seeding's heap back (issue 15's memory): its GC heap committed less after than
        // before, as the GC itself reported it. Without the collection a node that had just seeded its demo held some 80 MB more at rest.
        var output = await stdout;
        var handedBack = System.Text.RegularExpressions.Regex.Match(output, @"The demo's seeding handed its memory back: the GC heap's committed memory went from (\d+) to (\d+) MB");
        Assert.True(handedBack.Success, $"the app did not report handing the seeding's memory back:\n{output}");
        Assert.True(long.Parse(handedBack.Groups[2].Value) < long.Parse(handedBack.Groups[1].Value), handedBack.Value);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
