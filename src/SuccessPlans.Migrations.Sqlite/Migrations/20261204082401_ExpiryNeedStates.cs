using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SuccessPlans.Migrations.Sqlite.Migrations
{
    /// <summary>
    /// SQLite's need-state trigger runs once a row: the nightly expiry's UPDATE of tens of thousands of referrals paid
    /// it once each, in the referrals' scattered order (2.5 s of a 4.2 s UPDATE at 200,000 students, issue 15). A
    /// version listed in NeedStateDeferrals is one the expiry writes inside its own transaction, which then sets its
    /// needs' states in one set-based UPDATE (NightlyCheckJob.ExpiredNeedStatesSql) and removes the row before it
    /// commits: no other writer ever sees one, so every other write keeps the trigger. SQL Server's trigger runs once a
    /// statement already: nothing changes there, so this migration is SQLite's only.
    /// </summary>
    public partial class ExpiryNeedStates : Migration
    {
        private const string Body = """
              UPDATE "PlanItems" SET "ReferralState" = CASE
                WHEN EXISTS (SELECT 1 FROM "Referrals" AS r WHERE r."TenantId" = "PlanItems"."TenantId" AND r."NeedId" = "PlanItems"."Id"
                  AND (r."Status" IN ('Sent', 'Accepted', 'InService') OR (r."Status" = 'Completed' AND r."Outcome" = 'GotHelp'))) THEN 'UnderWay'
                WHEN EXISTS (SELECT 1 FROM "Referrals" AS r WHERE r."TenantId" = "PlanItems"."TenantId" AND r."NeedId" = "PlanItems"."Id"
                  AND r."Status" IN ('Declined', 'Expired', 'ClosedUnsuccessful')) THEN 'EndedWithoutHelp'
                ELSE 'None' END
              WHERE "Id" IN (NEW."NeedId", OLD."NeedId");
            END;
            """;

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""CREATE TABLE "NeedStateDeferrals" ("Version" TEXT NOT NULL PRIMARY KEY) WITHOUT ROWID;""");
            migrationBuilder.Sql("""DROP TRIGGER "TR_Referrals_NeedState_Update";""");
            migrationBuilder.Sql("""
                CREATE TRIGGER "TR_Referrals_NeedState_Update" AFTER UPDATE OF "Status", "Outcome", "NeedId" ON "Referrals"
                WHEN NOT EXISTS (SELECT 1 FROM "NeedStateDeferrals" AS d WHERE d."Version" = NEW."Version") BEGIN
                """ + "\n" + Body);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TRIGGER "TR_Referrals_NeedState_Update";""");
            migrationBuilder.Sql("""
                CREATE TRIGGER "TR_Referrals_NeedState_Update" AFTER UPDATE OF "Status", "Outcome", "NeedId" ON "Referrals" BEGIN
                """ + "\n" + Body);
            migrationBuilder.Sql("""DROP TABLE "NeedStateDeferrals";""");
        }
    }
}
