using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SuccessPlans.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class PageRowsById : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_Students_TenantId_Id",
                table: "Students",
                columns: new[] { "TenantId", "Id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Referrals_TenantId_Id",
                table: "Referrals",
                columns: new[] { "TenantId", "Id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Flags_TenantId_Id",
                table: "Flags",
                columns: new[] { "TenantId", "Id" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Students_TenantId_Id",
                table: "Students");

            migrationBuilder.DropIndex(
                name: "IX_Referrals_TenantId_Id",
                table: "Referrals");

            migrationBuilder.DropIndex(
                name: "IX_Flags_TenantId_Id",
                table: "Flags");
        }
    }
}
