using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SuccessPlans.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class CabinetDashboard : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ServiceDeliveries_TenantId_DeliveredOn",
                table: "ServiceDeliveries");

            migrationBuilder.AddColumn<int>(
                name: "DaysToFirstService",
                table: "Referrals",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Domain",
                table: "Referrals",
                type: "TEXT",
                maxLength: 32,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<DateOnly>(
                name: "FirstServiceOn",
                table: "Referrals",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "SchoolId",
                table: "Referrals",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "Tier",
                table: "Referrals",
                type: "TEXT",
                maxLength: 32,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "DeliveryYears",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    TenantId = table.Column<int>(type: "INTEGER", nullable: false),
                    ReferralId = table.Column<int>(type: "INTEGER", nullable: false),
                    SchoolYear = table.Column<int>(type: "INTEGER", nullable: false),
                    StudentId = table.Column<int>(type: "INTEGER", nullable: false),
                    SchoolId = table.Column<int>(type: "INTEGER", nullable: false),
                    OrganizationId = table.Column<int>(type: "INTEGER", nullable: false),
                    Domain = table.Column<int>(type: "INTEGER", maxLength: 32, nullable: false),
                    Tier = table.Column<int>(type: "INTEGER", maxLength: 32, nullable: true),
                    Aug = table.Column<int>(type: "INTEGER", nullable: false),
                    Sep = table.Column<int>(type: "INTEGER", nullable: false),
                    Oct = table.Column<int>(type: "INTEGER", nullable: false),
                    Nov = table.Column<int>(type: "INTEGER", nullable: false),
                    Dec = table.Column<int>(type: "INTEGER", nullable: false),
                    Jan = table.Column<int>(type: "INTEGER", nullable: false),
                    Feb = table.Column<int>(type: "INTEGER", nullable: false),
                    Mar = table.Column<int>(type: "INTEGER", nullable: false),
                    Apr = table.Column<int>(type: "INTEGER", nullable: false),
                    May = table.Column<int>(type: "INTEGER", nullable: false),
                    Jun = table.Column<int>(type: "INTEGER", nullable: false),
                    Jul = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DeliveryYears", x => x.Id);
                    table.ForeignKey(
                        name: "FK_DeliveryYears_Referrals_ReferralId",
                        column: x => x.ReferralId,
                        principalTable: "Referrals",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_DeliveryYears_Tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "Tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ServiceDeliveries_TenantId_DeliveredOn_ReferralId",
                table: "ServiceDeliveries",
                columns: new[] { "TenantId", "DeliveredOn", "ReferralId" });

            migrationBuilder.CreateIndex(
                name: "IX_Referrals_TenantId_FirstServiceOn_DaysToFirstService_StudentId",
                table: "Referrals",
                columns: new[] { "TenantId", "FirstServiceOn", "DaysToFirstService", "StudentId" });

            migrationBuilder.CreateIndex(
                name: "IX_Referrals_TenantId_SentAt_StudentId_Status_AnsweredAt",
                table: "Referrals",
                columns: new[] { "TenantId", "SentAt", "StudentId", "Status", "AnsweredAt" });

            migrationBuilder.CreateIndex(
                name: "IX_PlanItems_TenantId_Kind_Status_ResolvedOn_PlanId",
                table: "PlanItems",
                columns: new[] { "TenantId", "Kind", "Status", "ResolvedOn", "PlanId" });

            migrationBuilder.CreateIndex(
                name: "IX_DeliveryYears_Dashboard",
                table: "DeliveryYears",
                columns: new[] { "TenantId", "SchoolYear", "StudentId", "Domain", "SchoolId", "OrganizationId", "Tier", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul" });

            migrationBuilder.CreateIndex(
                name: "IX_DeliveryYears_ReferralId",
                table: "DeliveryYears",
                column: "ReferralId");

            migrationBuilder.CreateIndex(
                name: "IX_DeliveryYears_TenantId_ReferralId_SchoolYear",
                table: "DeliveryYears",
                columns: new[] { "TenantId", "ReferralId", "SchoolYear" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "DeliveryYears");

            migrationBuilder.DropIndex(
                name: "IX_ServiceDeliveries_TenantId_DeliveredOn_ReferralId",
                table: "ServiceDeliveries");

            migrationBuilder.DropIndex(
                name: "IX_Referrals_TenantId_FirstServiceOn_DaysToFirstService_StudentId",
                table: "Referrals");

            migrationBuilder.DropIndex(
                name: "IX_Referrals_TenantId_SentAt_StudentId_Status_AnsweredAt",
                table: "Referrals");

            migrationBuilder.DropIndex(
                name: "IX_PlanItems_TenantId_Kind_Status_ResolvedOn_PlanId",
                table: "PlanItems");

            migrationBuilder.DropColumn(
                name: "DaysToFirstService",
                table: "Referrals");

            migrationBuilder.DropColumn(
                name: "Domain",
                table: "Referrals");

            migrationBuilder.DropColumn(
                name: "FirstServiceOn",
                table: "Referrals");

            migrationBuilder.DropColumn(
                name: "SchoolId",
                table: "Referrals");

            migrationBuilder.DropColumn(
                name: "Tier",
                table: "Referrals");

            migrationBuilder.CreateIndex(
                name: "IX_ServiceDeliveries_TenantId_DeliveredOn",
                table: "ServiceDeliveries",
                columns: new[] { "TenantId", "DeliveredOn" });
        }
    }
}
