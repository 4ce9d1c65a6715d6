using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SuccessPlans.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class Referrals : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "Capacity",
                table: "Services",
                type: "int",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Domain",
                table: "Services",
                type: "nvarchar(32)",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Languages",
                table: "Services",
                type: "nvarchar(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Tier",
                table: "Services",
                type: "nvarchar(32)",
                maxLength: 32,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "Referrals",
                columns: table => new
                {
                    Id = table.Column<int>(type: "int", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    StudentId = table.Column<int>(type: "int", nullable: false),
                    NeedId = table.Column<int>(type: "int", nullable: false),
                    ServiceId = table.Column<int>(type: "int", nullable: false),
                    OrganizationId = table.Column<int>(type: "int", nullable: false),
                    Status = table.Column<string>(type: "nvarchar(32)", maxLength: 32, nullable: false),
                    SentByUserId = table.Column<int>(type: "int", nullable: true),
                    SentByName = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "datetime2", nullable: false),
                    SentAt = table.Column<DateTime>(type: "datetime2", nullable: true),
                    AnsweredAt = table.Column<DateTime>(type: "datetime2", nullable: true),
                    FirstServiceAt = table.Column<DateTime>(type: "datetime2", nullable: true),
                    ClosedAt = table.Column<DateTime>(type: "datetime2", nullable: true),
                    SharedChildName = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: true),
                    SharedGrade = table.Column<string>(type: "nvarchar(8)", maxLength: 8, nullable: true),
                    SharedSchool = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: true),
                    SharedGuardianName = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: true),
                    SharedGuardianContact = table.Column<string>(type: "nvarchar(300)", maxLength: 300, nullable: true),
                    SharedNeed = table.Column<string>(type: "nvarchar(1000)", maxLength: 1000, nullable: true),
                    ConsentId = table.Column<int>(type: "int", nullable: true),
                    OverrideReason = table.Column<string>(type: "nvarchar(1000)", maxLength: 1000, nullable: true),
                    DeclineReason = table.Column<string>(type: "nvarchar(32)", maxLength: 32, nullable: true),
                    UnsuccessfulReason = table.Column<string>(type: "nvarchar(32)", maxLength: 32, nullable: true),
                    AnswerNote = table.Column<string>(type: "nvarchar(1000)", maxLength: 1000, nullable: true),
                    Outcome = table.Column<string>(type: "nvarchar(1000)", maxLength: 1000, nullable: true),
                    TenantId = table.Column<int>(type: "int", nullable: false),
                    Version = table.Column<Guid>(type: "uniqueidentifier", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Referrals", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Referrals_PlanItems_NeedId",
                        column: x => x.NeedId,
                        principalTable: "PlanItems",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_Referrals_ProviderOrganizations_OrganizationId",
                        column: x => x.OrganizationId,
                        principalTable: "ProviderOrganizations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_Referrals_Services_ServiceId",
                        column: x => x.ServiceId,
                        principalTable: "Services",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_Referrals_Students_StudentId",
                        column: x => x.StudentId,
                        principalTable: "Students",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_Referrals_Tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "Tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "Disclosures",
                columns: table => new
                {
                    Id = table.Column<int>(type: "int", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    StudentId = table.Column<int>(type: "int", nullable: false),
                    OrganizationId = table.Column<int>(type: "int", nullable: false),
                    ReferralId = table.Column<int>(type: "int", nullable: true),
                    FieldsShared = table.Column<string>(type: "nvarchar(500)", maxLength: 500, nullable: false),
                    ConsentId = table.Column<int>(type: "int", nullable: true),
                    OverrideReason = table.Column<string>(type: "nvarchar(1000)", maxLength: 1000, nullable: true),
                    At = table.Column<DateTime>(type: "datetime2", nullable: false),
                    ByUserId = table.Column<int>(type: "int", nullable: true),
                    ByName = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    TenantId = table.Column<int>(type: "int", nullable: false),
                    Version = table.Column<Guid>(type: "uniqueidentifier", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Disclosures", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Disclosures_ProviderOrganizations_OrganizationId",
                        column: x => x.OrganizationId,
                        principalTable: "ProviderOrganizations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_Disclosures_Referrals_ReferralId",
                        column: x => x.ReferralId,
                        principalTable: "Referrals",
                        principalColumn: "Id");
                    table.ForeignKey(
                        name: "FK_Disclosures_Students_StudentId",
                        column: x => x.StudentId,
                        principalTable: "Students",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_Disclosures_Tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "Tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "ReferralEvents",
                columns: table => new
                {
                    Id = table.Column<int>(type: "int", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    ReferralId = table.Column<int>(type: "int", nullable: false),
                    From = table.Column<string>(type: "nvarchar(32)", maxLength: 32, nullable: true),
                    To = table.Column<string>(type: "nvarchar(32)", maxLength: 32, nullable: false),
                    At = table.Column<DateTime>(type: "datetime2", nullable: false),
                    UserId = table.Column<int>(type: "int", nullable: true),
                    UserName = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    Note = table.Column<string>(type: "nvarchar(1000)", maxLength: 1000, nullable: true),
                    TenantId = table.Column<int>(type: "int", nullable: false),
                    Version = table.Column<Guid>(type: "uniqueidentifier", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReferralEvents", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ReferralEvents_Referrals_ReferralId",
                        column: x => x.ReferralId,
                        principalTable: "Referrals",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_ReferralEvents_Tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "Tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "ServiceDeliveries",
                columns: table => new
                {
                    Id = table.Column<int>(type: "int", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    ReferralId = table.Column<int>(type: "int", nullable: false),
                    DeliveredOn = table.Column<DateOnly>(type: "date", nullable: false),
                    Amount = table.Column<int>(type: "int", nullable: false),
                    Unit = table.Column<string>(type: "nvarchar(32)", maxLength: 32, nullable: false),
                    DeliveredBy = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    Note = table.Column<string>(type: "nvarchar(1000)", maxLength: 1000, nullable: true),
                    RecordedAt = table.Column<DateTime>(type: "datetime2", nullable: false),
                    TenantId = table.Column<int>(type: "int", nullable: false),
                    Version = table.Column<Guid>(type: "uniqueidentifier", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ServiceDeliveries", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ServiceDeliveries_Referrals_ReferralId",
                        column: x => x.ReferralId,
                        principalTable: "Referrals",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_ServiceDeliveries_Tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "Tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Services_TenantId_Domain_Status",
                table: "Services",
                columns: new[] { "TenantId", "Domain", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_Disclosures_OrganizationId",
                table: "Disclosures",
                column: "OrganizationId");

            migrationBuilder.CreateIndex(
                name: "IX_Disclosures_ReferralId",
                table: "Disclosures",
                column: "ReferralId");

            migrationBuilder.CreateIndex(
                name: "IX_Disclosures_StudentId",
                table: "Disclosures",
                column: "StudentId");

            migrationBuilder.CreateIndex(
                name: "IX_Disclosures_TenantId_StudentId_At",
                table: "Disclosures",
                columns: new[] { "TenantId", "StudentId", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_ReferralEvents_ReferralId",
                table: "ReferralEvents",
                column: "ReferralId");

            migrationBuilder.CreateIndex(
                name: "IX_ReferralEvents_TenantId_ReferralId_At",
                table: "ReferralEvents",
                columns: new[] { "TenantId", "ReferralId", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_Referrals_NeedId",
                table: "Referrals",
                column: "NeedId");

            migrationBuilder.CreateIndex(
                name: "IX_Referrals_OrganizationId",
                table: "Referrals",
                column: "OrganizationId");

            migrationBuilder.CreateIndex(
                name: "IX_Referrals_ServiceId",
                table: "Referrals",
                column: "ServiceId");

            migrationBuilder.CreateIndex(
                name: "IX_Referrals_StudentId",
                table: "Referrals",
                column: "StudentId");

            migrationBuilder.CreateIndex(
                name: "IX_Referrals_TenantId_NeedId_Status",
                table: "Referrals",
                columns: new[] { "TenantId", "NeedId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_Referrals_TenantId_OrganizationId_Status_SentAt",
                table: "Referrals",
                columns: new[] { "TenantId", "OrganizationId", "Status", "SentAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Referrals_TenantId_StudentId_CreatedAt",
                table: "Referrals",
                columns: new[] { "TenantId", "StudentId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_ServiceDeliveries_ReferralId",
                table: "ServiceDeliveries",
                column: "ReferralId");

            migrationBuilder.CreateIndex(
                name: "IX_ServiceDeliveries_TenantId_DeliveredOn",
                table: "ServiceDeliveries",
                columns: new[] { "TenantId", "DeliveredOn" });

            migrationBuilder.CreateIndex(
                name: "IX_ServiceDeliveries_TenantId_ReferralId_DeliveredOn",
                table: "ServiceDeliveries",
                columns: new[] { "TenantId", "ReferralId", "DeliveredOn" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Disclosures");

            migrationBuilder.DropTable(
                name: "ReferralEvents");

            migrationBuilder.DropTable(
                name: "ServiceDeliveries");

            migrationBuilder.DropTable(
                name: "Referrals");

            migrationBuilder.DropIndex(
                name: "IX_Services_TenantId_Domain_Status",
                table: "Services");

            migrationBuilder.DropColumn(
                name: "Capacity",
                table: "Services");

            migrationBuilder.DropColumn(
                name: "Domain",
                table: "Services");

            migrationBuilder.DropColumn(
                name: "Languages",
                table: "Services");

            migrationBuilder.DropColumn(
                name: "Tier",
                table: "Services");
        }
    }
}
