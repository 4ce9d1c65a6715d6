using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SuccessPlans.Migrations.SqlServer.Migrations
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
                type: "nvarchar(32)",
                maxLength: 32,
                nullable: false,
                defaultValue: "None");

            migrationBuilder.CreateIndex(
                name: "IX_PlanItems_TenantId_Kind_Status_ReferralState_IdentifiedOn_PlanId",
                table: "PlanItems",
                columns: new[] { "TenantId", "Kind", "Status", "ReferralState", "IdentifiedOn", "PlanId" });

            // Where each need's referrals stand (PlanItem.ReferralState), kept by the database with every write of a
            // referral, set-based ones included (the nightly expiry, imports, erasure): the nightly rule UnmetNeed reads it.
            // Through EXEC: SQL Server compiles a batch whole, and the idempotent script's batch for this migration adds
            // the column the UPDATE names (error 207 "Invalid column name" on a database without it; TSqlParseTests).
            const string fill = """
                UPDATE i SET [ReferralState] = CASE
                  WHEN EXISTS (SELECT 1 FROM [Referrals] AS r WHERE r.[TenantId] = i.[TenantId] AND r.[NeedId] = i.[Id]
                    AND (r.[Status] IN (N'Sent', N'Accepted', N'InService') OR (r.[Status] = N'Completed' AND r.[Outcome] = N'GotHelp'))) THEN N'UnderWay'
                  WHEN EXISTS (SELECT 1 FROM [Referrals] AS r WHERE r.[TenantId] = i.[TenantId] AND r.[NeedId] = i.[Id]
                    AND r.[Status] IN (N'Declined', N'Expired', N'ClosedUnsuccessful')) THEN N'EndedWithoutHelp'
                  ELSE N'None' END
                FROM [PlanItems] AS i
                WHERE i.[Kind] = N'Need';
                """;
            migrationBuilder.Sql($"EXEC(N'{fill.Replace("'", "''")}');");
            // Only the rows whose state may have moved: a write that changes none of the three columns costs nothing.
            // Through EXEC: CREATE TRIGGER must begin its batch, and the idempotent script puts each step in an IF block.
            const string trigger = """
                CREATE TRIGGER [TR_Referrals_NeedState] ON [Referrals] AFTER INSERT, UPDATE, DELETE AS
                BEGIN
                  SET NOCOUNT ON;
                  IF EXISTS (SELECT 1 FROM inserted) AND NOT (UPDATE([Status]) OR UPDATE([Outcome]) OR UPDATE([NeedId])) RETURN;
                  UPDATE i SET [ReferralState] = CASE
                    WHEN EXISTS (SELECT 1 FROM [Referrals] AS r WHERE r.[TenantId] = i.[TenantId] AND r.[NeedId] = i.[Id]
                      AND (r.[Status] IN (N'Sent', N'Accepted', N'InService') OR (r.[Status] = N'Completed' AND r.[Outcome] = N'GotHelp'))) THEN N'UnderWay'
                    WHEN EXISTS (SELECT 1 FROM [Referrals] AS r WHERE r.[TenantId] = i.[TenantId] AND r.[NeedId] = i.[Id]
                      AND r.[Status] IN (N'Declined', N'Expired', N'ClosedUnsuccessful')) THEN N'EndedWithoutHelp'
                    ELSE N'None' END
                  FROM [PlanItems] AS i
                  WHERE i.[Id] IN (SELECT [NeedId] FROM inserted UNION SELECT [NeedId] FROM deleted);
                END;
                """;
            migrationBuilder.Sql($"EXEC(N'{trigger.Replace("'", "''")}');");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER [TR_Referrals_NeedState];");

            migrationBuilder.DropIndex(
                name: "IX_PlanItems_TenantId_Kind_Status_ReferralState_IdentifiedOn_PlanId",
                table: "PlanItems");

            migrationBuilder.DropColumn(
                name: "ReferralState",
                table: "PlanItems");
        }
    }
}
