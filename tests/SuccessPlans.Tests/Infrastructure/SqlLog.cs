namespace SuccessPlans.Tests.Infrastructure;

/// <summary>
/// The SQL commands EF Core runs in the current async flow (<see cref="Start"/>), or on any thread against one test's
/// database (<see cref="OfDatabase"/>: a background writer's too), as its diagnostic events report them.
/// </summary>
internal sealed class SqlLog : IDisposable, IObserver<System.Diagnostics.DiagnosticListener>, IObserver<KeyValuePair<string, object?>>
{
    private static readonly AsyncLocal<SqlLog?> Current = new();
    private readonly IDisposable _subscription;
    private readonly List<IDisposable> _listeners = [];
    private readonly string? _database;
    public List<string> Commands { get; } = [];

    /// <summary>Each command's number of parameters, in the order of <see cref="Commands"/>.</summary>
    public List<int> Parameters { get; } = [];

    private SqlLog(string? database = null)
    {
        _database = database;
        _subscription = System.Diagnostics.DiagnosticListener.AllListeners.Subscribe(this);
    }

    public static SqlLog Start() => Current.Value = new SqlLog();

    /// <summary>Every thread's commands on the database files under <paramref name="root"/> (a test app's folder).</summary>
    public static SqlLog OfDatabase(string root) => new(root);

    public void OnNext(System.Diagnostics.DiagnosticListener listener)
    {
        if (listener.Name == "Microsoft.EntityFrameworkCore")
            lock (_listeners) _listeners.Add(listener.Subscribe(this));
    }

    public void OnNext(KeyValuePair<string, object?> e)
    {
        if (e.Key == Microsoft.EntityFrameworkCore.Diagnostics.RelationalEventId.CommandExecuted.Name
            && e.Value is Microsoft.EntityFrameworkCore.Diagnostics.CommandExecutedEventData data
            && (_database is null ? Current.Value == this : data.Command.Connection?.DataSource?.StartsWith(_database, StringComparison.Ordinal) == true))
            lock (Commands)
            {
                Commands.Add(data.Command.CommandText);
                Parameters.Add(data.Command.Parameters.Count);
            }
    }

    public void OnCompleted() { }
    public void OnError(Exception error) { }

    public void Dispose()
    {
        if (_database is null) Current.Value = null;
        _subscription.Dispose();
        lock (_listeners) _listeners.ForEach(l => l.Dispose());
    }
}
