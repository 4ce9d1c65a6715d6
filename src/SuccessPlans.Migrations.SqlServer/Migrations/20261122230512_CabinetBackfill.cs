using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SuccessPlans.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class CabinetBackfill : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Data only, after CabinetDashboard's schema (SQLite rebuilds the Referrals table there).
            // EXEC: SQL Server compiles a batch before running it, and these statements name columns the batch adds.
            // Referrals sent before this migration take their dimensions from the student, need and service as they are now
            // (and the days to first service from the UTC date of sending, the best the database knows).
            migrationBuilder.Sql("""
                EXEC(N'
                UPDATE Referrals SET
                  SchoolId = (SELECT s.SchoolId FROM Students s WHERE s.Id = Referrals.StudentId),
                  Domain = (SELECT i.Domain FROM PlanItems i WHERE i.Id = Referrals.NeedId),
                  Tier = (SELECT v.Tier FROM Services v WHERE v.Id = Referrals.ServiceId),
                  FirstServiceOn = (SELECT MIN(d.DeliveredOn) FROM ServiceDeliveries d WHERE d.ReferralId = Referrals.Id);
                ')
                """);
            migrationBuilder.Sql("""
                EXEC(N'
                UPDATE Referrals SET DaysToFirstService = CASE WHEN FirstServiceOn < CAST(SentAt AS date) THEN 0 ELSE DATEDIFF(day, CAST(SentAt AS date), FirstServiceOn) END WHERE FirstServiceOn IS NOT NULL AND SentAt IS NOT NULL;
                ')
                """);

            // The rollup starts as the deliveries already recorded; from here on ReferralService keeps it with every delivery.
            // Its Domain and Tier are stored as the enums' numbers.
            migrationBuilder.Sql("""
                EXEC(N'
                INSERT INTO DeliveryYears (TenantId, ReferralId, SchoolYear, StudentId, SchoolId, OrganizationId, Domain, Tier, Aug, Sep, Oct, Nov, Dec, Jan, Feb, Mar, Apr, May, Jun, Jul)
                SELECT r.TenantId, r.Id, d.SchoolYear, r.StudentId, r.SchoolId, r.OrganizationId,
                  CASE r.Domain WHEN ''Academic'' THEN 0 WHEN ''SocialEmotionalBehavioral'' THEN 1 WHEN ''Health'' THEN 2 ELSE 3 END,
                  CASE r.Tier WHEN ''PreventionEnrichment'' THEN 0 WHEN ''EarlyIntervention'' THEN 1 WHEN ''IntensiveCrisis'' THEN 2 END,
                  SUM(CASE WHEN d.M = 8 THEN 1 ELSE 0 END), SUM(CASE WHEN d.M = 9 THEN 1 ELSE 0 END), SUM(CASE WHEN d.M = 10 THEN 1 ELSE 0 END), SUM(CASE WHEN d.M = 11 THEN 1 ELSE 0 END), SUM(CASE WHEN d.M = 12 THEN 1 ELSE 0 END), SUM(CASE WHEN d.M = 1 THEN 1 ELSE 0 END), SUM(CASE WHEN d.M = 2 THEN 1 ELSE 0 END), SUM(CASE WHEN d.M = 3 THEN 1 ELSE 0 END), SUM(CASE WHEN d.M = 4 THEN 1 ELSE 0 END), SUM(CASE WHEN d.M = 5 THEN 1 ELSE 0 END), SUM(CASE WHEN d.M = 6 THEN 1 ELSE 0 END), SUM(CASE WHEN d.M = 7 THEN 1 ELSE 0 END)
                FROM (SELECT ReferralId, MONTH(DeliveredOn) AS M, YEAR(DeliveredOn) - (CASE WHEN MONTH(DeliveredOn) >= 8 THEN 0 ELSE 1 END) AS SchoolYear FROM ServiceDeliveries) d
                JOIN Referrals r ON r.Id = d.ReferralId
                GROUP BY r.TenantId, r.Id, d.SchoolYear, r.StudentId, r.SchoolId, r.OrganizationId, r.Domain, r.Tier;
                ')
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {

        }
    }
}
