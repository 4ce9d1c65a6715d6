using System.Globalization;
using SuccessPlans.Features.Students;

namespace SuccessPlans.Features.Plans;

/// <summary>What the coordinator gives for a goal's measure.</summary>
public sealed record GoalMeasureInput(GoalMeasure? Measure, string? Label, decimal? Baseline, DateOnly? BaselineOn, decimal? Target, DateOnly? TargetOn);

/// <summary>Goals you can measure (docs/goals.md): a need's measure, baseline, target and the points recorded by hand.</summary>
public sealed partial class PlanService
{
    /// <summary>Sets or changes a need's measure. A change of measure drops the points recorded for the old one (another unit).</summary>
    public async Task SetMeasureAsync(Student student, SuccessPlan plan, int needId, GoalMeasureInput input, Actor actor, Guid? planVersion, CancellationToken ct = default)
    {
        EnsureEditable(student, plan);
        CheckVersion(plan, planVersion);
        var need = Need(plan, needId);
        var today = await TodayAsync(ct);
        {
            var errors = ValidateMeasure(input, today);
            if (errors.Count > 0) throw new ValidationFailedException(errors);
            var measure = input.Measure!.Value;
            if (need.Measure is { } old && old != measure)
                db.GoalPoints.RemoveRange(await db.GoalPoints.Where(p => p.NeedId == need.Id).ToListAsync(ct));
            need.Measure = measure;
            need.MeasureLabel = measure == GoalMeasure.Recorded ? input.Label!.Trim() : null;
            need.Baseline = input.Baseline;
            need.BaselineOn = input.BaselineOn;
            need.Target = input.Target;
            need.TargetOn = input.TargetOn;
            Record(student.Id, actor, "goal measure set", string.Create(CultureInfo.InvariantCulture,
                $"{Labels.English(() => Labels.Words(need.Domain))}: {need.Description} ({Labels.English(() => Goals.Unit(measure, need.MeasureLabel))}: {input.Baseline} on {input.BaselineOn:yyyy-MM-dd} → {input.Target} by {input.TargetOn:yyyy-MM-dd})"));
        }
        Touch(plan);
        await SaveAsync(ct);
    }

    /// <summary>Removes a need's measure and the points recorded for it; the goal's words stay.</summary>
    public async Task RemoveMeasureAsync(Student student, SuccessPlan plan, int needId, Actor actor, Guid? planVersion, CancellationToken ct = default)
    {
        EnsureEditable(student, plan);
        CheckVersion(plan, planVersion);
        var need = Need(plan, needId);
        if (need.Measure is null) return;
        // Removed with the save (not at once), so a refused save keeps them.
        db.GoalPoints.RemoveRange(await db.GoalPoints.Where(p => p.NeedId == need.Id).ToListAsync(ct));
        (need.Measure, need.MeasureLabel, need.Baseline, need.BaselineOn, need.Target, need.TargetOn) = (null, null, null, null, null, null);
        Record(student.Id, actor, "goal measure removed", $"{Labels.English(() => Labels.Words(need.Domain))}: {need.Description}");
        Touch(plan);
        await SaveAsync(ct);
    }

    /// <summary>Records a value by hand, for a goal whose measure is recorded (indicator measures come from the imports).</summary>
    public async Task<GoalPoint> AddPointAsync(Student student, SuccessPlan plan, int needId, DateOnly? on, decimal? value, Actor actor, Guid? planVersion, CancellationToken ct = default)
    {
        EnsureEditable(student, plan);
        CheckVersion(plan, planVersion);
        var need = Need(plan, needId);
        if (need.Measure is not { } measure)
            throw ValidationFailedException.For("PointOn", "Give this goal a measure before recording a value.");
        if (measure != GoalMeasure.Recorded)
            throw ValidationFailedException.For("PointOn", "This goal is measured by imported data: its values come from the district's files, not by hand.");
        var today = await TodayAsync(ct);
        var errors = new Dictionary<string, CoreMessage[]>();
        if (on is not { } date)
            errors["PointOn"] = ["Give the date of the value."];
        else if (date > today)
            errors["PointOn"] = ["The date cannot be in the future."];
        else if (need.BaselineOn is { } b && date < b)
            errors["PointOn"] = [$"The date cannot be before the baseline ({Readable.InMessage(b)})."];
        var (min, max) = Goals.Range(measure);
        if (value is not { } v)
            errors["PointValue"] = ["Give the value."];
        else if (v < min || v > max || decimal.Round(v, 2) != v)
            errors["PointValue"] = [$"The value must be a number from {min} to {max}, with at most two decimals."];
        if (errors.Count > 0) throw new ValidationFailedException(errors);
        if (await db.GoalPoints.CountAsync(p => p.NeedId == need.Id, ct) >= Goals.MaxPoints)
            throw ValidationFailedException.For("PointOn", $"A goal keeps at most {Goals.MaxPoints} values; remove an old one first.");
        var point = new GoalPoint { NeedId = need.Id, On = on!.Value, Value = value!.Value, RecordedAt = Now, RecordedBy = actor.Name };
        db.GoalPoints.Add(point);
        Record(student.Id, actor, "goal value recorded", string.Create(CultureInfo.InvariantCulture, $"{Labels.English(() => Labels.Words(need.Domain))}: {need.Description} ({point.Value} on {point.On:yyyy-MM-dd})"));
        Touch(plan);
        await SaveAsync(ct);
        return point;
    }

    public async Task RemovePointAsync(Student student, SuccessPlan plan, int needId, int pointId, Actor actor, Guid? planVersion, CancellationToken ct = default)
    {
        EnsureEditable(student, plan);
        CheckVersion(plan, planVersion);
        var need = Need(plan, needId);
        var point = await db.GoalPoints.SingleOrDefaultAsync(p => p.Id == pointId && p.NeedId == need.Id, ct)
                    ?? throw ValidationFailedException.For("PointOn", "This goal has no such value.");
        db.GoalPoints.Remove(point);
        Record(student.Id, actor, "goal value removed", string.Create(CultureInfo.InvariantCulture, $"{Labels.English(() => Labels.Words(need.Domain))}: {need.Description} ({point.Value} on {point.On:yyyy-MM-dd})"));
        Touch(plan);
        await SaveAsync(ct);
    }

    private static PlanItem Need(SuccessPlan plan, int needId) =>
        plan.Items.SingleOrDefault(i => i.Id == needId && i.Kind == PlanItemKind.Need) ?? throw ValidationFailedException.For("ItemId", "This plan has no such need.");

    /// <summary>Every rule of a measure: known measure, a label for a recorded one, values in range, baseline not in the future, target after it.</summary>
    public static Dictionary<string, CoreMessage[]> ValidateMeasure(GoalMeasureInput input, DateOnly today)
    {
        var errors = new Dictionary<string, CoreMessage[]>();
        if (input.Measure is not { } measure || !Enum.IsDefined(measure))
        {
            errors["Measure"] = ["Choose what measures the goal: attendance rate, incidents, course failures or a value you record."];
            return errors;
        }
        if (measure == GoalMeasure.Recorded && string.IsNullOrWhiteSpace(input.Label))
            errors["MeasureLabel"] = ["Say what you will record (for example \"minutes read a day\")."];
        else if (input.Label?.Trim().Length > Goals.MaxLabel)
            errors["MeasureLabel"] = [$"The label is longer than {Goals.MaxLabel} characters."];
        var (min, max) = Goals.Range(measure);
        // One whole sentence per field, so each translates as a sentence.
        CoreMessage? Value(decimal? v, bool baseline)
        {
            if (v is not { } x) return baseline ? "Give the baseline." : "Give the target.";
            if (x < min || x > max || decimal.Round(x, 2) != x)
            {
                if (baseline) return $"The baseline must be a number from {min} to {max}, with at most two decimals.";
                return $"The target must be a number from {min} to {max}, with at most two decimals.";
            }
            if (measure is GoalMeasure.Incidents or GoalMeasure.CourseFailures && decimal.Truncate(x) != x)
                return baseline ? "The baseline is a count: a whole number." : "The target is a count: a whole number.";
            return null;
        }
        if (Value(input.Baseline, baseline: true) is { } b) errors["Baseline"] = [b];
        if (Value(input.Target, baseline: false) is { } t) errors["Target"] = [t];
        if (!errors.ContainsKey("Baseline") && !errors.ContainsKey("Target") && input.Baseline == input.Target)
            errors["Target"] = ["The target must differ from the baseline: it says which way is better."];
        if (input.BaselineOn is not { } from)
            errors["BaselineOn"] = ["Give the date of the baseline."];
        else if (from > today)
            errors["BaselineOn"] = ["The baseline's date cannot be in the future."];
        else if (from < today.AddYears(-5))
            errors["BaselineOn"] = ["The baseline's date is more than five years ago."];
        if (input.TargetOn is not { } by)
            errors["TargetOn"] = ["Give the date the target should be reached by."];
        else if (input.BaselineOn is { } start && by <= start)
            errors["TargetOn"] = ["The target date must be after the baseline's date."];
        else if (by > today.AddYears(5))
            errors["TargetOn"] = ["The target date is more than five years away."];
        return errors;
    }
}
