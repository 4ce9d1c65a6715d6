using System.Threading.Channels;
using SuccessPlans.Features.Accounts;

namespace SuccessPlans.Web.Features.Account;

/// <summary>
/// "Forgot password" requests, handled after the answer is sent. Looking the email up and queueing a mail takes longer
/// than finding no one, so a request that waited for it would tell, by its time, whether an account exists. The page
/// only hands the email to this queue (the same work whoever it belongs to) and answers; one reader does the rest.
/// The queue lives in memory: a request lost in a crash is asked again by its user. The reset rate limit bounds it, and
/// a full queue drops new requests rather than grow.
/// </summary>
public sealed class PasswordResetQueue(IServiceScopeFactory scopes, ILogger<PasswordResetQueue> log) : BackgroundService
{
    private readonly Channel<string> _requests = Channel.CreateBounded<string>(new BoundedChannelOptions(1000)
    {
        FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true,
    });
    private int _pending;

    public void Enqueue(string email)
    {
        Interlocked.Increment(ref _pending);
        if (!_requests.Writer.TryWrite(email)) Interlocked.Decrement(ref _pending);
    }

    /// <summary>For tests and shutdown: waits until every request handed over so far has been handled.</summary>
    public async Task WhenIdleAsync(CancellationToken ct = default)
    {
        while (Volatile.Read(ref _pending) > 0) await Task.Delay(10, ct);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var email in _requests.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<PasswordResetService>().RequestAsync(email, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The type only: the message of a database or mail error may quote the address.
                log.LogError("A password reset request failed: {Error}", e.GetType().FullName);
            }
            finally
            {
                Interlocked.Decrement(ref _pending);
            }
        }
    }
}
