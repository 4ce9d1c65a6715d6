using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using MimeKit;
using Xunit.Abstractions;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Production;

/// <summary>
/// Production as infra/RUNBOOK.md describes it, on this machine: Debian's nginx terminates TLS (a throwaway
/// certificate) in front of two app processes (Production, one SQLite file, each with its own Hangfire server and
/// outbox dispatcher), and Debian's aiosmtpd receives the mail. A header (X-Node: a or b) lets the test choose the
/// node a request lands on; without it nginx balances between the two.
/// </summary>
public sealed class ProductionShapeTests(ITestOutputHelper log) : IAsyncLifetime
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private void Step(string what) => log.WriteLine($"{_clock.Elapsed.TotalSeconds,6:F1} s  {what}");

    private const string Host = "successplans.test";
    private const string OperatorEmail = "ops@successplans.test";
    private const string OperatorPassword = "Operator-Password-2026!";

    private readonly string _dir = Directory.CreateTempSubdirectory("successplans-prod-").FullName;
    private readonly int _httpsPort = FreePort();
    private readonly List<Process> _processes = [];
    private readonly StringBuilder _output = new();
    private SmtpServer _smtp = null!;
    private AppNode _a = null!, _b = null!;
    private string _thumbprint = "";

    private string PublicUrl => $"https://{Host}:{_httpsPort}";
    private string Database => Path.Combine(_dir, "app.db");

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists("/usr/sbin/nginx"), "/usr/sbin/nginx is missing: run the README's test command, which installs Debian's nginx");
        _smtp = await SmtpServer.StartNewAsync();

        // The platform operator, created the way the RUNBOOK says (a command against the production database).
        var create = Start("command", null, ["create-operator", "--email", OperatorEmail, "--password", OperatorPassword]);
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120)))
            await create.WaitForExitAsync(timeout.Token);
        Assert.True(create.ExitCode == 0, $"create-operator failed: {Output()}");

        _a = new AppNode("a", FreePort());
        _b = new AppNode("b", FreePort());
        foreach (var node in new[] { _a, _b })
            node.Process = Start(node.Name, node.Port, []);
        Step("operator created");
        await Task.WhenAll(WaitUntilHealthyAsync(_a), WaitUntilHealthyAsync(_b));
        Step("both nodes healthy");
        await StartNginxAsync();
        Step("nginx listening");
    }

    [Fact]
    public async Task Two_nodes_behind_nginx_share_sessions_forms_and_invitations_and_send_each_email_once()
    {
        var cookies = new CookieContainer();
        using var viaA = Through("a", cookies);
        using var viaB = Through("b", cookies);

        // Signed in through node A with the form node B served: the antiforgery token and cookie cross nodes.
        var login = await viaB.GetAsync("/Account/Login");
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.Equal(_b.Address, ServedBy(login));
        // The proxy said https, so HSTS goes out (and the Secure cookies were accepted: no 500).
        Assert.Contains("max-age=31536000", login.Headers.GetValues("Strict-Transport-Security").Single());
        var signedIn = await viaB.SubmitFormToAsync(viaA, "/Account/Login", new() { ["Input.Email"] = OperatorEmail, ["Input.Password"] = OperatorPassword });
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal(_a.Address, ServedBy(signedIn));
        // An operator made by the command has no second factor yet: enrolment comes first, across the nodes too.
        await viaA.EnrolTwoFactorToAsync(viaB);

        // Node A's session on node B.
        var tenants = await viaB.GetAsync("/Tenants");
        Assert.Equal(HttpStatusCode.OK, tenants.StatusCode);
        Assert.Equal(_b.Address, ServedBy(tenants));

        // Three tenants, each with its first Admin's invitation: made on A, on B, and wherever nginx sends it.
        using var balanced = Through(null, cookies);
        foreach (var (load, submit, slug) in new[] { (viaB, viaA, "north"), (viaA, viaB, "south"), (balanced, balanced, "east") })
        {
            var created = await load.SubmitFormToAsync(submit, "/Tenants/Create", new()
            {
                ["Input.Name"] = $"Partnership {slug}", ["Input.Slug"] = slug, ["Input.TimeZoneId"] = "America/New_York",
                ["Input.AdminEmail"] = $"admin@{slug}.test", ["Input.AdminName"] = $"Admin {slug}",
            });
            Assert.True(created.StatusCode == HttpStatusCode.Redirect, $"creating {slug} answered {(int)created.StatusCode}: {Output()}");
        }

        Step("three tenants created");
        // Both nodes' dispatchers run every 5 s on the same outbox; each email arrives exactly once.
        var mail = await WaitForMailAsync(3, TimeSpan.FromSeconds(100));
        Step("three emails arrived");
        Assert.Equal(0, await UnsentAsync());
        await Task.Delay(TimeSpan.FromSeconds(5));
        mail = ReadMail();
        Assert.Equal(["admin@east.test", "admin@north.test", "admin@south.test"], mail.Select(m => m.To.Mailboxes.Single().Address).Order());

        // The invitation made on node A, opened from its email (the public https address) and accepted on node B.
        var link = Regex.Match(mail.Single(m => m.To.Mailboxes.Single().Address == "admin@north.test").TextBody ?? "", @"https://\S+/Account/AcceptInvite\?\S+").Value;
        Assert.StartsWith($"{PublicUrl}/Account/AcceptInvite?user=", link);
        var invitee = new CookieContainer();
        using var inviteeViaA = Through("a", invitee);
        using var inviteeViaB = Through("b", invitee);
        var accepted = await inviteeViaB.SubmitFormToAsync(inviteeViaB, link, new() { ["Input.Password"] = "North-Admin-Pass-2026!", ["Input.Confirm"] = "North-Admin-Pass-2026!" });
        Assert.True(accepted.StatusCode == HttpStatusCode.Redirect, $"accepting the invitation answered {(int)accepted.StatusCode}");
        Assert.Equal(_b.Address, ServedBy(accepted));
        await inviteeViaB.EnrolTwoFactorToAsync(inviteeViaA); // a new Admin sets up the second factor first
        var users = await inviteeViaA.GetAsync("/Users");
        Assert.Equal(HttpStatusCode.OK, users.StatusCode);
        Assert.Contains("admin@north.test", await users.Content.ReadAsStringAsync());
        Step("invitation accepted on B");
    }

    [Fact]
    public async Task Killing_one_node_mid_run_loses_no_email_and_sends_none_twice_and_the_log_is_json()
    {
        var cookies = new CookieContainer();
        using var balanced = Through(null, cookies);
        await SignInAsOperatorAsync(balanced);
        var created = await balanced.SubmitFormToAsync(balanced, "/Tenants/Create", new()
        {
            ["Input.Name"] = "Partnership kill", ["Input.Slug"] = "kill", ["Input.TimeZoneId"] = "America/New_York",
            ["Input.AdminEmail"] = "admin@kill.test", ["Input.AdminName"] = "Admin kill",
        });
        Assert.True(created.StatusCode == HttpStatusCode.Redirect, $"creating the tenant answered {(int)created.StatusCode}: {Output()}");

        // A backlog both dispatchers work on at once: the invitation and 600 more.
        const int Backlog = 600;
        await QueueBacklogAsync("kill", Backlog);
        var expected = Backlog + 1;
        Step($"{expected} emails queued");

        // Node A dies hard (no shutdown, nothing flushed) while the backlog is being sent.
        await WaitForMailAsync(30, TimeSpan.FromSeconds(100));
        await ChildProcesses.StopAsync(_a.Process);
        var atKill = ReadMail().Count;
        Step($"node a killed after {atKill} emails");
        Assert.True(atKill < expected, "the backlog was sent before the kill: the test proves nothing; queue more");

        // Users do not notice: nginx passes every request to the node that is left.
        for (var i = 0; i < 4; i++)
        {
            var page = await balanced.GetAsync("/Tenants");
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal(_b.Address, ServedBy(page).Split(", ").Last());
        }

        // The container healthcheck's probe: the dead node fails it, the live one passes.
        Assert.Equal(1, await ProbeAsync(_a));
        Assert.Equal(0, await ProbeAsync(_b));

        // Node B goes on alone; a message A had claimed waits for its claim to lapse, then B sends it.
        await WaitForMailAsync(expected, TimeSpan.FromSeconds(180));
        Step("every email arrived through node b");
        // A restarted A joins without resending anything.
        _a.Process = Start("a-restarted", _a.Port, []);
        await WaitUntilHealthyAsync(_a);
        // Three of its send intervals: A's dispatcher has run on the outbox since its restart.
        await Task.Delay(TimeSpan.FromSeconds(15));
        Step("node a restarted and ran its dispatcher");

        var ids = ReadMail().Select(m => m.MessageId).ToList();
        var outbox = await OutboxAsync();
        Assert.Equal(expected, outbox.Count);
        Assert.All(outbox, n => Assert.Equal("Sent", n.Status));
        // Every message arrived; a message's id names its row, so the set of ids is the outbox.
        Assert.Equal(outbox.Select(n => n.MessageId).Order(), ids.Distinct().Order());
        // At least once, and twice only for the one message A may have handed to the relay before it died
        // unrecorded (the RUNBOOK's at-least-once window; the stable Message-Id lets a relay drop it).
        var twice = ids.GroupBy(i => i).Where(g => g.Count() > 1).ToList();
        Assert.True(twice.Count <= 1 && twice.All(g => g.Count() == 2), $"sent more than once: {string.Join(", ", twice.Select(g => $"{g.Key} x{g.Count()}"))}");

        // Production logs are one JSON object a line, from both nodes and the restarted one.
        var lines = NodeLogLines();
        Assert.NotEmpty(lines);
        foreach (var line in lines)
        {
            using var json = System.Text.Json.JsonDocument.Parse(line);
            Assert.True(json.RootElement.TryGetProperty("Timestamp", out _) && json.RootElement.TryGetProperty("LogLevel", out _), line);
        }
    }

    private static async Task<int> ProbeAsync(AppNode node)
    {
        using var probe = Process.Start(new ProcessStartInfo("dotnet", [typeof(Program).Assembly.Location, "probe", $"http://{node.Address}/health/live"])
            { RedirectStandardOutput = true, RedirectStandardError = true })!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await probe.WaitForExitAsync(timeout.Token);
        return probe.ExitCode;
    }

    private async Task SignInAsOperatorAsync(HttpClient client)
    {
        var signedIn = await client.SubmitFormToAsync(client, "/Account/Login", new() { ["Input.Email"] = OperatorEmail, ["Input.Password"] = OperatorPassword });
        Assert.True(signedIn.StatusCode == HttpStatusCode.Redirect, $"the operator's sign-in answered {(int)signedIn.StatusCode}");
        // An operator made by the command has no second factor yet: enrolment comes before any other page.
        await client.EnrolTwoFactorToAsync(client);
    }

    /// <summary>Emails queued as the app queues them (pending, due now), straight into the shared database.</summary>
    private async Task QueueBacklogAsync(string slug, int count)
    {
        await using var connection = new SqliteConnection($"Data Source={Database}");
        await connection.OpenAsync();
        await using var transaction = connection.BeginTransaction();
        await using var tenant = connection.CreateCommand();
        tenant.CommandText = "SELECT Id FROM Tenants WHERE Slug = $slug";
        tenant.Parameters.AddWithValue("$slug", slug);
        var tenantId = (long)(await tenant.ExecuteScalarAsync())!;
        var now = DateTime.UtcNow.AddSeconds(-1).ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", System.Globalization.CultureInfo.InvariantCulture);
        for (var i = 0; i < count; i++)
        {
            await using var insert = connection.CreateCommand();
            insert.CommandText = """
                INSERT INTO Notifications (TenantId, Kind, RecipientEmail, Subject, BodyText, Status, Attempts, CreatedAt, NextAttemptAt, Version)
                VALUES ($tenant, 'test', $to, $subject, 'A message of the backlog.', 'Pending', 0, $now, $now, $version)
                """;
            insert.Parameters.AddWithValue("$tenant", tenantId);
            insert.Parameters.AddWithValue("$to", $"person{i}@{slug}.test");
            insert.Parameters.AddWithValue("$subject", $"Backlog {i}");
            insert.Parameters.AddWithValue("$now", now);
            insert.Parameters.AddWithValue("$version", Guid.NewGuid().ToString().ToUpperInvariant());
            await insert.ExecuteNonQueryAsync();
        }
        await transaction.CommitAsync();
    }

    private sealed record OutboxRow(string MessageId, string Status);

    private async Task<List<OutboxRow>> OutboxAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={Database}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT TenantId, Id, Status FROM Notifications";
        var rows = new List<OutboxRow>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            rows.Add(new OutboxRow($"notification-{reader.GetInt64(0)}-{reader.GetInt64(1)}@successplans", reader.GetString(2)));
        return rows;
    }

    /// <summary>What the app nodes wrote to stdout (not the create-operator command's output, not nginx's).</summary>
    private List<string> NodeLogLines() =>
        Output().Split('\n').Select(l => l.TrimEnd('\r'))
            .Select(l => System.Text.RegularExpressions.Regex.Match(l, @"^\[(a|b|a-restarted)\] (.*)$"))
            .Where(m => m.Success).Select(m => m.Groups[2].Value).ToList();

    private sealed record AppNode(string Name, int Port)
    {
        public Process Process { get; set; } = null!;
        public string Address => $"127.0.0.1:{Port}";
    }

    /// <summary>The real app, as the container runs it: `dotnet SuccessPlans.Web.dll` in Production.</summary>
    private Process Start(string name, int? port, string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [typeof(Program).Assembly.Location, .. args])
        {
            WorkingDirectory = _dir,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        var env = start.Environment;
        env["ASPNETCORE_ENVIRONMENT"] = "Production";
        env["ASPNETCORE_URLS"] = port is { } p ? $"http://127.0.0.1:{p}" : "http://127.0.0.1:0";
        env["ConnectionStrings__Sqlite"] = $"Data Source={Database}";
        env["App__BaseUrl"] = PublicUrl;
        env["Email__Delivery"] = "Smtp";
        env["Email__Smtp__Host"] = "127.0.0.1";
        env["Email__Smtp__Port"] = _smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        env["Email__Smtp__Security"] = "None";
        env["Email__FromAddress"] = "no-reply@successplans.test";
        env["Logging__LogLevel__Default"] = "Warning";
        // A node killed while sending leaves its claimed email to the other node after this (the default is 10 minutes).
        env["Email__ClaimLifetime"] = "00:00:15";
        env["Email__Smtp__TimeoutSeconds"] = "5";
        // Each node sends the outbox every 5 s (a minute by default), so the test waits seconds, not minutes.
        env["Email__SendEvery"] = "00:00:05";
        // No file watchers: a busy test machine runs out of inotify instances.
        env["DOTNET_hostBuilder__reloadConfigOnChange"] = "false";
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine($"[{name}] {e.Data}"); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine($"[{name}!] {e.Data}"); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add(process);
        return process;
    }

    private string Output() { lock (_output) return _output.ToString(); }

    private async Task WaitUntilHealthyAsync(AppNode node)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            if (node.Process.HasExited)
                Assert.Fail($"node {node.Name} stopped: {Output()}");
            try
            {
                if ((await http.GetAsync($"http://{node.Address}/health")).IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(200);
        }
        Assert.Fail($"node {node.Name} did not answer /health within 120 s: {Output()}");
    }

    private async Task StartNginxAsync()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest($"CN={Host}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(Host);
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(2));
        _thumbprint = certificate.GetCertHashString();
        await File.WriteAllTextAsync(Path.Combine(_dir, "cert.pem"), certificate.ExportCertificatePem());
        await File.WriteAllTextAsync(Path.Combine(_dir, "key.pem"), rsa.ExportPkcs8PrivateKeyPem());

        var root = Environment.UserName == "root" ? "user root;" : "";
        var conf = Path.Combine(_dir, "nginx.conf");
        await File.WriteAllTextAsync(conf, $$"""
            {{root}}
            worker_processes 1;
            pid {{_dir}}/nginx.pid;
            events { worker_connections 256; }
            http {
              access_log off;
              client_body_temp_path {{_dir}}/nginx-body;
              proxy_temp_path {{_dir}}/nginx-proxy;
              fastcgi_temp_path {{_dir}}/nginx-fastcgi;
              uwsgi_temp_path {{_dir}}/nginx-uwsgi;
              scgi_temp_path {{_dir}}/nginx-scgi;
              upstream both { server {{_a.Address}}; server {{_b.Address}}; }
              upstream a { server {{_a.Address}}; }
              upstream b { server {{_b.Address}}; }
              map $http_x_node $node { default both; a a; b b; }
              server {
                listen 127.0.0.1:{{_httpsPort}} ssl;
                ssl_certificate {{_dir}}/cert.pem;
                ssl_certificate_key {{_dir}}/key.pem;
                location / {
                  proxy_pass http://$node;
                  proxy_set_header Host $http_host;
                  proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                  proxy_set_header X-Forwarded-Proto $scheme;
                  add_header X-Upstream $upstream_addr always;
                }
              }
            }
            """);
        var nginx = new Process { StartInfo = new ProcessStartInfo("/usr/sbin/nginx", ["-p", _dir, "-c", conf, "-e", "stderr", "-g", "daemon off;"]) { RedirectStandardError = true, RedirectStandardOutput = true } };
        nginx.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine($"[nginx] {e.Data}"); };
        nginx.Start();
        nginx.BeginErrorReadLine();
        _processes.Add(nginx);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            if (nginx.HasExited) Assert.Fail($"nginx stopped: {Output()}");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, _httpsPort);
                return;
            }
            catch (SocketException) { await Task.Delay(100); }
        }
        Assert.Fail($"nginx did not listen within 15 s: {Output()}");
    }

    /// <summary>A browser at the public https address (resolved to nginx on this machine), optionally pinned to one node.</summary>
    private HttpClient Through(string? node, CookieContainer cookies)
    {
        var handler = new SocketsHttpHandler
        {
            CookieContainer = cookies,
            AllowAutoRedirect = false,
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(IPAddress.Loopback, _httpsPort, ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
            SslOptions = { RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && cert.GetCertHashString() == _thumbprint },
        };
        var client = new HttpClient(handler) { BaseAddress = new Uri(PublicUrl), Timeout = TimeSpan.FromSeconds(30) };
        if (node is not null)
            client.DefaultRequestHeaders.Add("X-Node", node);
        return client;
    }

    private static string ServedBy(HttpResponseMessage response) => response.Headers.GetValues("X-Upstream").Single();

    private List<MimeMessage> ReadMail() =>
        Directory.EnumerateFiles(Path.Combine(_smtp.Maildir, "new")).Select(f => MimeMessage.Load(f)).ToList();

    private async Task<List<MimeMessage>> WaitForMailAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var mail = ReadMail();
            if (mail.Count >= count)
                return mail;
            await Task.Delay(500);
        }
        Assert.Fail($"{ReadMail().Count} of {count} emails arrived within {timeout.TotalSeconds} s: {Output()}");
        return [];
    }

    private async Task<long> UnsentAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={Database}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM Notifications WHERE Status <> 'Sent'";
        return (long)(await command.ExecuteScalarAsync())!;
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
        foreach (var process in _processes)
        {
            await ChildProcesses.StopAsync(process);
            process.Dispose();
        }
        if (_smtp is not null) await _smtp.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
