#!/usr/bin/env bash
# Model changes, for both databases at once (one migrations assembly per provider).
#   infra/scripts/migrations.sh add <Name>     add a migration to SQLite and SQL Server
#   infra/scripts/migrations.sh script         regenerate infra/sql/successplans-sqlserver.sql (idempotent)
# Needs no database server: the design-time factory builds the model offline.
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet tool restore >/dev/null
common=(--startup-project src/SuccessPlans.Web --context AppDbContext)
case "${1:-}" in
  add)
    name="${2:?migration name}"
    dotnet ef migrations add "$name" "${common[@]}" --project src/SuccessPlans.Migrations.Sqlite -- --provider Sqlite
    dotnet ef migrations add "$name" "${common[@]}" --project src/SuccessPlans.Migrations.SqlServer -- --provider SqlServer
    "$0" script
    ;;
  script)
    dotnet ef migrations script --idempotent "${common[@]}" --project src/SuccessPlans.Migrations.SqlServer \
      --output infra/sql/successplans-sqlserver.sql -- --provider SqlServer
    echo "Wrote infra/sql/successplans-sqlserver.sql"
    ;;
  *) echo "usage: $0 add <Name> | script" >&2; exit 2 ;;
esac
