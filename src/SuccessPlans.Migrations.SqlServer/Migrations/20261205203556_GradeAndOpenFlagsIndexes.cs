using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SuccessPlans.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class GradeAndOpenFlagsIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Flags_TenantId_StudentId_ResolvedAt",
                table: "Flags");

            migrationBuilder.CreateIndex(
                name: "IX_Students_TenantId_Grade_FamilyName_GivenName_SchoolId_Status",
                table: "Students",
                columns: new[] { "TenantId", "Grade", "FamilyName", "GivenName", "SchoolId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_Flags_TenantId_StudentId_ResolvedAt_DismissedAt",
                table: "Flags",
                columns: new[] { "TenantId", "StudentId", "ResolvedAt", "DismissedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Students_TenantId_Grade_FamilyName_GivenName_SchoolId_Status",
                table: "Students");

            migrationBuilder.DropIndex(
                name: "IX_Flags_TenantId_StudentId_ResolvedAt_DismissedAt",
                table: "Flags");

            migrationBuilder.CreateIndex(
                name: "IX_Flags_TenantId_StudentId_ResolvedAt",
                table: "Flags",
                columns: new[] { "TenantId", "StudentId", "ResolvedAt" });
        }
    }
}
