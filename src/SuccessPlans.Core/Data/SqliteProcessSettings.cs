namespace SuccessPlans.Data;

/// <summary>
/// SQLite's settings for the whole process, which hold only if set before its first connection opens: connections
/// without their own mutexes, and no global count of the memory SQLite holds.
/// </summary>
/// <remarks>
/// Why (issue 15): the library comes serialized, so every call (each step, each column read) took the connection's mutex,
/// and every allocation a global one to keep the count. ADO.NET already uses a connection on one thread at a time, and
/// SQLite's interrupt (a cancelled command) takes no mutex; the locks between connections stay. Measured on the student
/// page at 32 connections, alternated with the serialized build: 3.5-3.8 ms of CPU a request against 4.2-4.5 ms.
/// The setting is the process's, for every user of SQLite in it (which is why EF Core does not make it); here every
/// connection is the app's, and every command is disposed on the thread that ran it (a statement left to the finalizer
/// could otherwise be finalized while its connection works on another thread).
/// </remarks>
public static class SqliteProcessSettings
{
    private const int ConfigMultithread = 2; // SQLITE_CONFIG_MULTITHREAD
    private const int ConfigMemStatus = 9;   // SQLITE_CONFIG_MEMSTATUS
    private const int Ok = 0;
    private static readonly Lazy<bool> Applied = new(Apply);

    /// <summary>True when the settings hold; false when a connection had opened first (then SQLite stays serialized, safe and slower).</summary>
    public static bool EnsureApplied() => Applied.Value;

    private static bool Apply()
    {
        SQLitePCL.Batteries_V2.Init();
        // Each returns SQLITE_MISUSE once SQLite is initialized, and changes nothing then.
        var multithread = SQLitePCL.raw.sqlite3_config(ConfigMultithread);
        var memStatus = SQLitePCL.raw.sqlite3_config(ConfigMemStatus, 0);
        return multithread == Ok && memStatus == Ok;
    }
}
