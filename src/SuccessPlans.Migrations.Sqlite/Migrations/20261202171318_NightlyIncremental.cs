using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SuccessPlans.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class NightlyIncremental : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ReferralState",
                table: "PlanItems",
                type: "TEXT",
                maxLength: 32,
                nullable: false,
                defaultValue: "None");

            migrationBuilder.CreateIndex(
                name: "IX_PlanItems_TenantId_Kind_Status_ReferralState_IdentifiedOn_PlanId",
                table: "PlanItems",
                columns: new[] { "TenantId", "Kind", "Status", "ReferralState", "IdentifiedOn", "PlanId" });

            // Where each need's referrals stand (PlanItem.ReferralState), kept by the database with every write of a
            // referral, set-based ones included (the nightly expiry, imports, erasure): the nightly rule UnmetNeed reads it.
            migrationBuilder.Sql("""
                UPDATE "PlanItems" SET "ReferralState" = CASE
                  WHEN EXISTS (SELECT 1 FROM "Referrals" AS r WHERE r."TenantId" = "PlanItems"."TenantId" AND r."NeedId" = "PlanItems"."Id"
                    AND (r."Status" IN ('Sent', 'Accepted', 'InService') OR (r."Status" = 'Completed' AND r."Outcome" = 'GotHelp'))) THEN 'UnderWay'
                  WHEN EXISTS (SELECT 1 FROM "Referrals" AS r WHERE r."TenantId" = "PlanItems"."TenantId" AND r."NeedId" = "PlanItems"."Id"
                    AND r."Status" IN ('Declined', 'Expired', 'ClosedUnsuccessful')) THEN 'EndedWithoutHelp'
                  ELSE 'None' END
                WHERE "Kind" = 'Need';
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "TR_Referrals_NeedState_Insert" AFTER INSERT ON "Referrals" BEGIN
                  UPDATE "PlanItems" SET "ReferralState" = CASE
                    WHEN EXISTS (SELECT 1 FROM "Referrals" AS r WHERE r."TenantId" = "PlanItems"."TenantId" AND r."NeedId" = "PlanItems"."Id"
                      AND (r."Status" IN ('Sent', 'Accepted', 'InService') OR (r."Status" = 'Completed' AND r."Outcome" = 'GotHelp'))) THEN 'UnderWay'
                    WHEN EXISTS (SELECT 1 FROM "Referrals" AS r WHERE r."TenantId" = "PlanItems"."TenantId" AND r."NeedId" = "PlanItems"."Id"
                      AND r."Status" IN ('Declined', 'Expired', 'ClosedUnsuccessful')) THEN 'EndedWithoutHelp'
                    ELSE 'None' END
                  WHERE "Id" = NEW."NeedId";
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "TR_Referrals_NeedState_Update" AFTER UPDATE OF "Status", "Outcome", "NeedId" ON "Referrals" BEGIN
                  UPDATE "PlanItems" SET "ReferralState" = CASE
                    WHEN EXISTS (SELECT 1 FROM "Referrals" AS r WHERE r."TenantId" = "PlanItems"."TenantId" AND r."NeedId" = "PlanItems"."Id"
                      AND (r."Status" IN ('Sent', 'Accepted', 'InService') OR (r."Status" = 'Completed' AND r."Outcome" = 'GotHelp'))) THEN 'UnderWay'
                    WHEN EXISTS (SELECT 1 FROM "Referrals" AS r WHERE r."TenantId" = "PlanItems"."TenantId" AND r."NeedId" = "PlanItems"."Id"
                      AND r."Status" IN ('Declined', 'Expired', 'ClosedUnsuccessful')) THEN 'EndedWithoutHelp'
                    ELSE 'None' END
                  WHERE "Id" IN (NEW."NeedId", OLD."NeedId");
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "TR_Referrals_NeedState_Delete" AFTER DELETE ON "Referrals" BEGIN
                  UPDATE "PlanItems" SET "ReferralState" = CASE
                    WHEN EXISTS (SELECT 1 FROM "Referrals" AS r WHERE r."TenantId" = "PlanItems"."TenantId" AND r."NeedId" = "PlanItems"."Id"
                      AND (r."Status" IN ('Sent', 'Accepted', 'InService') OR (r."Status" = 'Completed' AND r."Outcome" = 'GotHelp'))) THEN 'UnderWay'
                    WHEN EXISTS (SELECT 1 FROM "Referrals" AS r WHERE r."TenantId" = "PlanItems"."TenantId" AND r."NeedId" = "PlanItems"."Id"
                      AND r."Status" IN ('Declined', 'Expired', 'ClosedUnsuccessful')) THEN 'EndedWithoutHelp'
                    ELSE 'None' END
                  WHERE "Id" = OLD."NeedId";
                END;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TRIGGER "TR_Referrals_NeedState_Insert";""");
            migrationBuilder.Sql("""DROP TRIGGER "TR_Referrals_NeedState_Update";""");
            migrationBuilder.Sql("""DROP TRIGGER "TR_Referrals_NeedState_Delete";""");

            migrationBuilder.DropIndex(
                name: "IX_PlanItems_TenantId_Kind_Status_ReferralState_IdentifiedOn_PlanId",
                table: "PlanItems");

            migrationBuilder.DropColumn(
                name: "ReferralState",
                table: "PlanItems");
        }
    }
}
