using System.Runtime.InteropServices;
using SQLitePCL;

namespace SuccessPlans.Data;

/// <summary>
/// SQLite functions SQLitePCLRaw does not wrap, called in the same native library it loads (e_sqlite3, which the
/// SQLitePCLRaw bundle ships for every platform; SQLite 3.34 or later has each of them).
/// </summary>
internal static class SqliteNative
{
    private const string Library = "e_sqlite3";

    /// <summary>SQLITE_TXN_NONE: the connection holds no read or write transaction on any of its databases.</summary>
    public const int NoTransaction = 0;

    /// <summary>sqlite3_txn_state over every database of the connection: NONE (0), READ (1) or WRITE (2).</summary>
    public static int TransactionState(sqlite3 connection)
    {
        var added = false;
        try
        {
            connection.DangerousAddRef(ref added);
            return sqlite3_txn_state(connection.DangerousGetHandle(), IntPtr.Zero);
        }
        finally
        {
            if (added) connection.DangerousRelease();
        }
    }

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    private static extern int sqlite3_txn_state(IntPtr db, IntPtr schema);
}
