namespace SuccessPlans.Data;

/// <summary>The rows of a compiled query (EF.CompileAsyncQuery gives an IAsyncEnumerable, not an IQueryable), as a list.</summary>
public static class CompiledRows
{
    public static async Task<List<T>> ListAsync<T>(IAsyncEnumerable<T> rows, CancellationToken ct)
    {
        var list = new List<T>();
        await foreach (var row in rows.WithCancellation(ct))
            list.Add(row);
        return list;
    }
}
