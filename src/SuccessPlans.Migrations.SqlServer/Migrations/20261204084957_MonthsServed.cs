using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SuccessPlans.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class MonthsServed : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_DeliveryYears_Dashboard",
                table: "DeliveryYears");

            migrationBuilder.AddColumn<int>(
                name: "MonthsServed",
                table: "DeliveryYears",
                type: "int",
                nullable: false,
                defaultValue: 0);

            // The months with a service as bits (DeliveryYear.MonthsServed, kept by the app from now on). Through EXEC:
            // SQL Server compiles a batch whole, and this migration's batch adds the column (error 207 without it).
            migrationBuilder.Sql("""
                EXEC(N'UPDATE [DeliveryYears] SET [MonthsServed] = IIF([Aug] > 0, 1, 0) | IIF([Sep] > 0, 2, 0) | IIF([Oct] > 0, 4, 0) | IIF([Nov] > 0, 8, 0) | IIF([Dec] > 0, 16, 0) | IIF([Jan] > 0, 32, 0) | IIF([Feb] > 0, 64, 0) | IIF([Mar] > 0, 128, 0) | IIF([Apr] > 0, 256, 0) | IIF([May] > 0, 512, 0) | IIF([Jun] > 0, 1024, 0) | IIF([Jul] > 0, 2048, 0)');
                """);

            migrationBuilder.CreateIndex(
                name: "IX_DeliveryYears_Dashboard",
                table: "DeliveryYears",
                columns: new[] { "TenantId", "SchoolYear", "StudentId", "Domain", "SchoolId", "OrganizationId", "Tier", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "MonthsServed" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_DeliveryYears_Dashboard",
                table: "DeliveryYears");

            migrationBuilder.DropColumn(
                name: "MonthsServed",
                table: "DeliveryYears");

            migrationBuilder.CreateIndex(
                name: "IX_DeliveryYears_Dashboard",
                table: "DeliveryYears",
                columns: new[] { "TenantId", "SchoolYear", "StudentId", "Domain", "SchoolId", "OrganizationId", "Tier", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul" });
        }
    }
}
