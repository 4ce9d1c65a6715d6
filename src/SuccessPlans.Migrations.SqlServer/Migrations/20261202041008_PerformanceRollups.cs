using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SuccessPlans.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class PerformanceRollups : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ServedMonths",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    TenantId = table.Column<int>(type: "int", nullable: false),
                    Dimension = table.Column<int>(type: "int", maxLength: 32, nullable: false),
                    ValueId = table.Column<int>(type: "int", nullable: false),
                    MonthNumber = table.Column<int>(type: "int", nullable: false),
                    PreviousMonthNumber = table.Column<int>(type: "int", nullable: false),
                    Children = table.Column<int>(type: "int", nullable: false),
                    Services = table.Column<int>(type: "int", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ServedMonths", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ServedMonths_Tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "Tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ServedMonths_Dashboard",
                table: "ServedMonths",
                columns: new[] { "TenantId", "MonthNumber", "Dimension", "ValueId", "PreviousMonthNumber", "Children", "Services" });

            // The served months start as the rollup of the deliveries already recorded (DeliveryYears); from here on
            // DeliveryRollup.CountAsync keeps them with every delivery. Dimension: 0 total, 1 domain, 2 school,
            // 3 provider, 4 tier (-1: none); a month is year * 12 + month - 1 (August of SchoolYear is SchoolYear * 12 + 7).
            migrationBuilder.Sql("""
                INSERT INTO ServedMonths (TenantId, Dimension, ValueId, MonthNumber, PreviousMonthNumber, Children, Services)
                SELECT TenantId, Dimension, ValueId, MonthNumber, PreviousMonthNumber, COUNT(*), SUM(Services)
                FROM (
                  SELECT TenantId, Dimension, ValueId, MonthNumber, Services,
                    COALESCE(LAG(MonthNumber) OVER (PARTITION BY TenantId, StudentId, Dimension, ValueId ORDER BY MonthNumber), 0) AS PreviousMonthNumber
                  FROM (
                    SELECT TenantId, StudentId, Dimension, ValueId, MonthNumber, SUM(Services) AS Services
                    FROM (
                      SELECT y.TenantId, y.StudentId, v.Dimension,
                        CASE v.Dimension WHEN 0 THEN 0 WHEN 1 THEN y.Domain WHEN 2 THEN y.SchoolId WHEN 3 THEN y.OrganizationId ELSE COALESCE(y.Tier, -1) END AS ValueId,
                        y.SchoolYear * 12 + m.M AS MonthNumber,
                        CASE m.M WHEN 7 THEN y.Aug WHEN 8 THEN y.Sep WHEN 9 THEN y.Oct WHEN 10 THEN y.Nov WHEN 11 THEN y.Dec WHEN 12 THEN y.Jan WHEN 13 THEN y.Feb WHEN 14 THEN y.Mar WHEN 15 THEN y.Apr WHEN 16 THEN y.May WHEN 17 THEN y.Jun WHEN 18 THEN y.Jul END AS Services
                      FROM DeliveryYears y
                      CROSS JOIN (SELECT 0 AS Dimension UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4) v
                      CROSS JOIN (SELECT 7 AS M UNION ALL SELECT 8 UNION ALL SELECT 9 UNION ALL SELECT 10 UNION ALL SELECT 11 UNION ALL SELECT 12 UNION ALL SELECT 13 UNION ALL SELECT 14 UNION ALL SELECT 15 UNION ALL SELECT 16 UNION ALL SELECT 17 UNION ALL SELECT 18) m
                    ) u
                    GROUP BY TenantId, StudentId, Dimension, ValueId, MonthNumber
                    HAVING SUM(Services) > 0
                  ) s
                ) p
                GROUP BY TenantId, Dimension, ValueId, MonthNumber, PreviousMonthNumber;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ServedMonths");
        }
    }
}
