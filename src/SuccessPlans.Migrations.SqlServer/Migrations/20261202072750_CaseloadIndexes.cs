using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SuccessPlans.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class CaseloadIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Students_TenantId_FamilyName_GivenName",
                table: "Students");

            migrationBuilder.DropIndex(
                name: "IX_Students_TenantId_SchoolId_Grade_FamilyName_GivenName",
                table: "Students");

            migrationBuilder.DropIndex(
                name: "IX_PlanItems_TenantId_PlanId_Domain",
                table: "PlanItems");

            migrationBuilder.CreateIndex(
                name: "IX_Students_TenantId_FamilyName_GivenName_SchoolId_Status",
                table: "Students",
                columns: new[] { "TenantId", "FamilyName", "GivenName", "SchoolId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_Students_TenantId_SchoolId_Grade_FamilyName_GivenName_Status",
                table: "Students",
                columns: new[] { "TenantId", "SchoolId", "Grade", "FamilyName", "GivenName", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_PlanItems_TenantId_PlanId_Kind_Status_Domain",
                table: "PlanItems",
                columns: new[] { "TenantId", "PlanId", "Kind", "Status", "Domain" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Students_TenantId_FamilyName_GivenName_SchoolId_Status",
                table: "Students");

            migrationBuilder.DropIndex(
                name: "IX_Students_TenantId_SchoolId_Grade_FamilyName_GivenName_Status",
                table: "Students");

            migrationBuilder.DropIndex(
                name: "IX_PlanItems_TenantId_PlanId_Kind_Status_Domain",
                table: "PlanItems");

            migrationBuilder.CreateIndex(
                name: "IX_Students_TenantId_FamilyName_GivenName",
                table: "Students",
                columns: new[] { "TenantId", "FamilyName", "GivenName" });

            migrationBuilder.CreateIndex(
                name: "IX_Students_TenantId_SchoolId_Grade_FamilyName_GivenName",
                table: "Students",
                columns: new[] { "TenantId", "SchoolId", "Grade", "FamilyName", "GivenName" });

            migrationBuilder.CreateIndex(
                name: "IX_PlanItems_TenantId_PlanId_Domain",
                table: "PlanItems",
                columns: new[] { "TenantId", "PlanId", "Domain" });
        }
    }
}
