using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace SuccessPlans.Tests.Infrastructure;

/// <summary>
/// A real SMTP server: Debian's aiosmtpd, storing each message in a Maildir. The test command installs it
/// (python3-aiosmtpd); without it these tests fail with a message saying so.
/// </summary>
public sealed class SmtpServer : IAsyncDisposable
{
    private Process? _process;

    public int Port { get; } = FreePort();
    public string Maildir { get; } = Directory.CreateTempSubdirectory("successplans-smtp-").FullName;

    public static async Task<SmtpServer> StartNewAsync()
    {
        var server = new SmtpServer();
        await server.StartAsync();
        return server;
    }

    public async Task StartAsync()
    {
        foreach (var sub in new[] { "tmp", "new", "cur" })
            Directory.CreateDirectory(Path.Combine(Maildir, sub));
        var python = "/usr/bin/python3";
        Assert.True(File.Exists(python), "/usr/bin/python3 is missing: run the README's test command, which installs python3-aiosmtpd");
        _process = Process.Start(new ProcessStartInfo(python, ["-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{Port}", "-c", "aiosmtpd.handlers.Mailbox", Maildir])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
                Assert.Fail($"aiosmtpd exited: {await _process.StandardError.ReadToEndAsync()} (install python3-aiosmtpd)");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) { await Task.Delay(100); }
        }
        Assert.Fail("aiosmtpd did not start listening within 15 s");
    }

    public async Task StopAsync()
    {
        if (_process is not null) await ChildProcesses.StopAsync(_process);
        _process = null;
    }

    /// <summary>The raw messages the server received.</summary>
    public IReadOnlyList<string> Messages() =>
        Directory.EnumerateFiles(Path.Combine(Maildir, "new")).Order().Select(File.ReadAllText).ToList();

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try { Directory.Delete(Maildir, recursive: true); } catch (IOException) { }
    }
}
