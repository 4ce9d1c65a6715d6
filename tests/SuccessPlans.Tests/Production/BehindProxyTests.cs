using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Production;

/// <summary>
/// One real app process in Production on plain HTTP, as behind a TLS-terminating proxy on the same machine: the proxy's
/// X-Forwarded-Proto makes forms work (the Secure antiforgery cookie is accepted) and HSTS go out; a request without it
/// gets a 400 that says what to fix, never a 500.
/// </summary>
public sealed class BehindProxyTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("successplans-proxy-").FullName;
    private readonly int _port = FreePort();
    private readonly StringBuilder _output = new();
    private Process _app = null!;

    public async Task InitializeAsync()
    {
        var start = new ProcessStartInfo("dotnet", [typeof(Program).Assembly.Location]) { WorkingDirectory = _dir, RedirectStandardError = true, RedirectStandardOutput = true };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{_port}";
        start.Environment["ConnectionStrings__Sqlite"] = $"Data Source={Path.Combine(_dir, "app.db")}";
        start.Environment["App__BaseUrl"] = "https://plans.example.org";
        start.Environment["Jobs__RunServer"] = "false";
        start.Environment["DOTNET_hostBuilder__reloadConfigOnChange"] = "false";
        _app = new Process { StartInfo = start };
        _app.OutputDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        _app.ErrorDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        _app.Start();
        _app.BeginOutputReadLine();
        _app.BeginErrorReadLine();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            if (_app.HasExited) Assert.Fail($"the app stopped: {Output()}");
            try { if ((await http.GetAsync($"http://127.0.0.1:{_port}/health")).IsSuccessStatusCode) return; }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(200);
        }
        Assert.Fail($"the app did not answer /health within 120 s: {Output()}");
    }

    private string Output() { lock (_output) return _output.ToString(); }

    private HttpClient Client() => new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri($"http://127.0.0.1:{_port}") };

    [Fact]
    public async Task The_proxys_https_makes_the_sign_in_form_work_and_sends_hsts()
    {
        using var client = Client();
        var request = new HttpRequestMessage(HttpMethod.Get, "/Account/Login");
        request.Headers.Host = "plans.example.org";
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");
        var response = await client.SendAsync(request);
        if (response.StatusCode != HttpStatusCode.OK)
            Assert.Fail($"{(int)response.StatusCode}: {Output()}");
        Assert.Contains("__RequestVerificationToken", await response.Content.ReadAsStringAsync());
        Assert.Equal("max-age=31536000", response.Headers.GetValues("Strict-Transport-Security").Single());
        Assert.Contains(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("successplans.af=") && c.Contains("secure"));
    }

    [Fact]
    public async Task Plain_http_without_the_proxy_gets_a_clear_400_not_a_500()
    {
        using var client = Client();
        var response = await client.GetAsync("/Account/Login");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("served over HTTPS only: open https://plans.example.org/", await response.Content.ReadAsStringAsync());
        Assert.False(response.Headers.Contains("Strict-Transport-Security"));
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public async Task DisposeAsync()
    {
        if (_app is not null) await ChildProcesses.StopAsync(_app);
        _app?.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
