namespace SuccessPlans.Features.Roster;

/// <summary>
/// An import's result as its upload row stores it: English, in one of these shapes, so that the admin pages show it in
/// the reader's language (<see cref="StoredText"/>), rows written before included.
/// </summary>
public static class ImportReports
{
    public const string Roster = "Schools: {0} added, {1} updated. Students: {2} added, {3} updated, {4} withdrawn. {5} row(s) rejected.";
    public const string Directory = "HSDS {0}. Organizations: {1} added, {2} changed. Services: {3} added, {4} changed. Locations: {5} added, {6} changed. " +
                                    "Service locations: {7} added, {8} removed. Terms: {9} added, {10} removed.";
    public const string Indicators = "Attendance events: {0} added, {1} changed, {2} removed. Incidents: {3} added, {4} changed, {5} removed. " +
                                     "Marks: {6} added, {7} changed, {8} removed. School days: {9} added, {10} changed, {11} removed.";
    public const string Discarded = "Discarded without importing.";

    public static readonly StoredText Results = new(Roster, Directory, Indicators, Discarded);
}
