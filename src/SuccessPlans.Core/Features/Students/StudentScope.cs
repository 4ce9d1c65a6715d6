using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using SuccessPlans.Data;

namespace SuccessPlans.Features.Students;

/// <summary>The students of a set of schools: where every coordinator's student query starts (the web's StudentAccess).</summary>
public static class StudentScope
{
    /// <summary>
    /// The students of <paramref name="schools"/>, an erased child's placeholder excepted (docs/retention.md).
    /// </summary>
    /// <remarks>
    /// The school ids go as ONE parameter (json_each on SQLite, OPENJSON on SQL Server; DatabaseSettings.Configure says
    /// why), so the SQL is made once per query shape.
    /// </remarks>
    [InlinedFrom(nameof(InSchoolsOf))]
    public static IQueryable<Student> InSchools(AppDbContext db, IReadOnlyList<int> schools) => InSchoolsQuery(db, schools);

    // The rule's one text: InSchools runs it; a compiled query puts it in its own tree (Inline.Expand).
    private static readonly Expression<Func<AppDbContext, IReadOnlyList<int>, IQueryable<Student>>> InSchoolsOf = (db, schools) =>
        db.Students.Where(s => schools.Contains(s.SchoolId) && s.Status != StudentStatus.Erased);

    private static readonly Func<AppDbContext, IReadOnlyList<int>, IQueryable<Student>> InSchoolsQuery = InSchoolsOf.Compile();
}
