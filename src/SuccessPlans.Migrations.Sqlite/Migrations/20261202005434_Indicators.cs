using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SuccessPlans.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Indicators : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "AttendanceAtRiskPercent",
                table: "Tenants",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "AttendanceChronicPercent",
                table: "Tenants",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "AttendanceSatisfactoryPercent",
                table: "Tenants",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "Kind",
                table: "RosterUploads",
                type: "TEXT",
                maxLength: 32,
                nullable: false,
                defaultValue: "");

            migrationBuilder.CreateTable(
                name: "AttendanceEvents",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    SchoolId = table.Column<int>(type: "INTEGER", nullable: false),
                    Category = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    TenantId = table.Column<int>(type: "INTEGER", nullable: false),
                    SourceId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false, collation: "NOCASE"),
                    StudentId = table.Column<int>(type: "INTEGER", nullable: false),
                    Date = table.Column<DateOnly>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AttendanceEvents", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AttendanceEvents_Schools_SchoolId",
                        column: x => x.SchoolId,
                        principalTable: "Schools",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_AttendanceEvents_Students_StudentId",
                        column: x => x.StudentId,
                        principalTable: "Students",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_AttendanceEvents_Tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "Tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "BehaviorIncidents",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    SchoolId = table.Column<int>(type: "INTEGER", nullable: false),
                    Behavior = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    Severity = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    TenantId = table.Column<int>(type: "INTEGER", nullable: false),
                    SourceId = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false, collation: "NOCASE"),
                    StudentId = table.Column<int>(type: "INTEGER", nullable: false),
                    Date = table.Column<DateOnly>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BehaviorIncidents", x => x.Id);
                    table.ForeignKey(
                        name: "FK_BehaviorIncidents_Schools_SchoolId",
                        column: x => x.SchoolId,
                        principalTable: "Schools",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_BehaviorIncidents_Students_StudentId",
                        column: x => x.StudentId,
                        principalTable: "Students",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_BehaviorIncidents_Tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "Tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "CourseMarks",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Course = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Term = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Mark = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Passing = table.Column<bool>(type: "INTEGER", nullable: false),
                    TenantId = table.Column<int>(type: "INTEGER", nullable: false),
                    SourceId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false, collation: "NOCASE"),
                    StudentId = table.Column<int>(type: "INTEGER", nullable: false),
                    Date = table.Column<DateOnly>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CourseMarks", x => x.Id);
                    table.ForeignKey(
                        name: "FK_CourseMarks_Students_StudentId",
                        column: x => x.StudentId,
                        principalTable: "Students",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_CourseMarks_Tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "Tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "SchoolDays",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    TenantId = table.Column<int>(type: "INTEGER", nullable: false),
                    SchoolId = table.Column<int>(type: "INTEGER", nullable: false),
                    Date = table.Column<DateOnly>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SchoolDays", x => x.Id);
                    table.ForeignKey(
                        name: "FK_SchoolDays_Schools_SchoolId",
                        column: x => x.SchoolId,
                        principalTable: "Schools",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_SchoolDays_Tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "Tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "StudentIndicators",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    TenantId = table.Column<int>(type: "INTEGER", nullable: false),
                    StudentId = table.Column<int>(type: "INTEGER", nullable: false),
                    AsOf = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    YearDays = table.Column<int>(type: "INTEGER", nullable: false),
                    YearAbsences = table.Column<int>(type: "INTEGER", nullable: false),
                    YearAttendance = table.Column<int>(type: "INTEGER", nullable: true),
                    YearBand = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    YearIncidents = table.Column<int>(type: "INTEGER", nullable: false),
                    YearFailures = table.Column<int>(type: "INTEGER", nullable: false),
                    TermDays = table.Column<int>(type: "INTEGER", nullable: false),
                    TermAbsences = table.Column<int>(type: "INTEGER", nullable: false),
                    TermAttendance = table.Column<int>(type: "INTEGER", nullable: true),
                    TermBand = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    TermIncidents = table.Column<int>(type: "INTEGER", nullable: false),
                    TermFailures = table.Column<int>(type: "INTEGER", nullable: false),
                    RecentDays = table.Column<int>(type: "INTEGER", nullable: false),
                    RecentAbsences = table.Column<int>(type: "INTEGER", nullable: false),
                    RecentAttendance = table.Column<int>(type: "INTEGER", nullable: true),
                    RecentBand = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    RecentIncidents = table.Column<int>(type: "INTEGER", nullable: false),
                    RecentFailures = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_StudentIndicators", x => x.Id);
                    table.ForeignKey(
                        name: "FK_StudentIndicators_Students_StudentId",
                        column: x => x.StudentId,
                        principalTable: "Students",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_StudentIndicators_Tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "Tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AttendanceEvents_SchoolId",
                table: "AttendanceEvents",
                column: "SchoolId");

            migrationBuilder.CreateIndex(
                name: "IX_AttendanceEvents_StudentId",
                table: "AttendanceEvents",
                column: "StudentId");

            migrationBuilder.CreateIndex(
                name: "IX_AttendanceEvents_TenantId_SourceId",
                table: "AttendanceEvents",
                columns: new[] { "TenantId", "SourceId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_AttendanceEvents_TenantId_StudentId_Date",
                table: "AttendanceEvents",
                columns: new[] { "TenantId", "StudentId", "Date" });

            migrationBuilder.CreateIndex(
                name: "IX_BehaviorIncidents_SchoolId",
                table: "BehaviorIncidents",
                column: "SchoolId");

            migrationBuilder.CreateIndex(
                name: "IX_BehaviorIncidents_StudentId",
                table: "BehaviorIncidents",
                column: "StudentId");

            migrationBuilder.CreateIndex(
                name: "IX_BehaviorIncidents_TenantId_SourceId",
                table: "BehaviorIncidents",
                columns: new[] { "TenantId", "SourceId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_BehaviorIncidents_TenantId_StudentId_Date",
                table: "BehaviorIncidents",
                columns: new[] { "TenantId", "StudentId", "Date" });

            migrationBuilder.CreateIndex(
                name: "IX_CourseMarks_StudentId",
                table: "CourseMarks",
                column: "StudentId");

            migrationBuilder.CreateIndex(
                name: "IX_CourseMarks_TenantId_SourceId",
                table: "CourseMarks",
                columns: new[] { "TenantId", "SourceId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_CourseMarks_TenantId_StudentId_Date",
                table: "CourseMarks",
                columns: new[] { "TenantId", "StudentId", "Date" });

            migrationBuilder.CreateIndex(
                name: "IX_SchoolDays_SchoolId",
                table: "SchoolDays",
                column: "SchoolId");

            migrationBuilder.CreateIndex(
                name: "IX_SchoolDays_TenantId_SchoolId_Date",
                table: "SchoolDays",
                columns: new[] { "TenantId", "SchoolId", "Date" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_StudentIndicators_StudentId",
                table: "StudentIndicators",
                column: "StudentId");

            migrationBuilder.CreateIndex(
                name: "IX_StudentIndicators_TenantId_StudentId",
                table: "StudentIndicators",
                columns: new[] { "TenantId", "StudentId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_StudentIndicators_TenantId_YearBand",
                table: "StudentIndicators",
                columns: new[] { "TenantId", "YearBand" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AttendanceEvents");

            migrationBuilder.DropTable(
                name: "BehaviorIncidents");

            migrationBuilder.DropTable(
                name: "CourseMarks");

            migrationBuilder.DropTable(
                name: "SchoolDays");

            migrationBuilder.DropTable(
                name: "StudentIndicators");

            migrationBuilder.DropColumn(
                name: "AttendanceAtRiskPercent",
                table: "Tenants");

            migrationBuilder.DropColumn(
                name: "AttendanceChronicPercent",
                table: "Tenants");

            migrationBuilder.DropColumn(
                name: "AttendanceSatisfactoryPercent",
                table: "Tenants");

            migrationBuilder.DropColumn(
                name: "Kind",
                table: "RosterUploads");
        }
    }
}
