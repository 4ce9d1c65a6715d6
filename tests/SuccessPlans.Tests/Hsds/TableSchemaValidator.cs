using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Microsoft.VisualBasic.FileIO;

namespace SuccessPlans.Tests.Hsds;

/// <summary>
/// Checks CSV files against a Frictionless Table Schema (HSDS's datapackage.json) the way a Table Schema validator
/// does: each row becomes a JSON object (cells cast by the field's type, empty cells missing) and is evaluated by
/// JsonSchema.Net against a JSON Schema built from the fields' types, formats and constraints (required, enum,
/// pattern); then header names, unique fields, primary and foreign keys. The CSV is read by .NET's own
/// TextFieldParser, not by the app's reader, so a cell is judged exactly as it stands in the file.
/// </summary>
public sealed class TableSchemaValidator
{
    /// <summary>
    /// RFC 4122, which HSDS names for its ids, fixes the version digit (1-8 with RFC 9562) and the variant; the
    /// "uuid" format of JSON Schema validators checks only the layout, so uuid fields also get this pattern.
    /// </summary>
    public const string Rfc4122 = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$";

    private sealed record Field(string Name, string Type, string? Format, bool Required, bool Unique, JsonObject Constraints);
    private sealed record Resource(string Name, string Path, List<Field> Fields, List<string> PrimaryKey, List<(string Field, string Resource, string RefField)> ForeignKeys);

    private readonly List<Resource> _resources = [];

    /// <summary>A Frictionless data package (HSDS 3.0's datapackage.json).</summary>
    public static TableSchemaValidator FromDataPackage(string path)
    {
        var validator = new TableSchemaValidator();
        var package = JsonNode.Parse(File.ReadAllText(path))!;
        foreach (var r in package["resources"]!.AsArray())
        {
            var schema = r!["schema"]!;
            var fields = schema["fields"]!.AsArray().Select(f => ToField(f!.AsObject(), required: null)).ToList();
            var keys = schema["primaryKey"] switch { JsonArray a => a.Select(k => (string)k!).ToList(), JsonValue v => [(string)v!], _ => [] };
            var foreign = (schema["foreignKeys"]?.AsArray() ?? []).Select(fk => ((string)fk!["fields"]!, (string)fk["reference"]!["resource"]!, (string)fk["reference"]!["fields"]!)).ToList();
            validator._resources.Add(new((string)r["name"]!, (string)r["path"]!, fields, keys, foreign));
        }
        return validator;
    }

    /// <summary>Adds tables given as HSDS JSON Schemas (HSDS 3.1's service_capacity.json, unit.json): their tabular columns.</summary>
    public TableSchemaValidator WithHsdsSchemas(params string[] paths)
    {
        foreach (var path in paths)
        {
            var schema = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            var required = (schema["required"]?.AsArray() ?? []).Concat(schema["tabular_required"]?.AsArray() ?? []).Select(n => (string)n!).ToHashSet();
            var fields = schema["properties"]!.AsObject()
                .Where(p => p.Value!["type"] is JsonValue t && (string)t! is "string" or "number" or "integer" or "boolean")
                .Select(p => ToField(p.Value!.AsObject(), required.Contains(p.Key))).ToList();
            _resources.Add(new((string)schema["name"]!, (string)schema["path"]!, fields, ["id"], []));
        }
        return this;
    }

    private static Field ToField(JsonObject f, bool? required)
    {
        var constraints = f["constraints"]?.AsObject() ?? [];
        var type = (string)f["type"]!;
        var format = (string?)f["format"];
        // A JSON Schema property written as a string with format date-time is a Table Schema datetime.
        if (type == "string" && format == "date-time") (type, format) = ("datetime", null);
        return new((string)f["name"]!, type, format, required ?? (bool?)constraints["required"] ?? false, (bool?)constraints["unique"] ?? false, constraints);
    }

    /// <summary>Every problem of the package's files, as "file line N: field: message"; none means valid.</summary>
    public List<string> Validate(IReadOnlyDictionary<string, string> files)
    {
        var errors = new List<string>();
        var tables = new Dictionary<string, (Resource Resource, List<(int Line, Dictionary<string, string> Cells)> Rows)>();
        foreach (var name in files.Keys.Where(n => _resources.All(r => r.Path != n)))
            errors.Add($"{name}: no table of the schema has this file");
        var options = new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true };
        foreach (var resource in _resources.Where(r => files.ContainsKey(r.Path)))
        {
            var (header, rows) = ReadCsv(files[resource.Path]);
            var expected = resource.Fields.Select(f => f.Name).ToList();
            if (!header.SequenceEqual(expected))
                errors.Add($"{resource.Path} line 1: the header is '{string.Join(",", header)}', the schema's fields are '{string.Join(",", expected)}'");
            var schema = JsonSchema.FromText(ToJsonSchema(resource).ToJsonString());
            var table = new List<(int, Dictionary<string, string>)>();
            foreach (var (line, cells) in rows)
            {
                var row = header.Zip(cells).Where(p => p.Second.Length > 0).ToDictionary(p => p.First, p => p.Second);
                table.Add((line, row));
                var instance = new JsonObject();
                foreach (var field in resource.Fields.Where(f => row.ContainsKey(f.Name)))
                    instance[field.Name] = Cast(field, row[field.Name]);
                var result = schema.Evaluate(JsonDocument.Parse(instance.ToJsonString()).RootElement, options);
                if (result.IsValid) continue;
                foreach (var detail in (result.Details ?? []).Where(d => d.Errors is { Count: > 0 }))
                    foreach (var (keyword, message) in detail.Errors!)
                        errors.Add($"{resource.Path} line {line}: {(detail.InstanceLocation.ToString() is { Length: > 0 } at ? at.TrimStart('/') : "row")}: {keyword}: {message}");
            }
            foreach (var field in resource.Fields.Where(f => f.Unique || resource.PrimaryKey is [var key] && key == f.Name))
                foreach (var dup in table.Where(r => r.Item2.ContainsKey(field.Name)).GroupBy(r => r.Item2[field.Name]).Where(g => g.Count() > 1))
                    errors.Add($"{resource.Path} line {dup.Skip(1).First().Item1}: {field.Name}: '{dup.Key}' is not unique (line {dup.First().Item1} has it too)");
            tables[resource.Name] = (resource, table);
        }
        foreach (var (resource, rows) in tables.Values)
            foreach (var (field, target, targetField) in resource.ForeignKeys)
            {
                if (!tables.TryGetValue(target, out var referenced))
                {
                    if (rows.Any(r => r.Cells.ContainsKey(field))) errors.Add($"{resource.Path}: {field} refers to {target}, which the package does not have");
                    continue;
                }
                var keys = referenced.Rows.Where(r => r.Cells.ContainsKey(targetField)).Select(r => r.Cells[targetField]).ToHashSet();
                foreach (var (line, cells) in rows.Where(r => r.Cells.TryGetValue(field, out var v) && !keys.Contains(v)))
                    errors.Add($"{resource.Path} line {line}: {field}: '{cells[field]}' is no {targetField} of {referenced.Resource.Path}");
            }
        return errors;
    }

    private static JsonObject ToJsonSchema(Resource resource)
    {
        var properties = new JsonObject();
        foreach (var f in resource.Fields)
        {
            var p = new JsonObject();
            switch (f.Type)
            {
                case "number": p["type"] = "number"; break;
                case "integer": p["type"] = "integer"; break;
                case "boolean": p["type"] = "boolean"; break;
                case "date": p["type"] = "string"; p["format"] = "date"; break;
                case "datetime": p["type"] = "string"; p["format"] = "date-time"; break;
                // Table Schema's time is hh:mm:ss with no offset, which JSON Schema's "time" format requires.
                case "time": p["type"] = "string"; p["pattern"] = "^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$"; break;
                default:
                    p["type"] = "string";
                    switch (f.Format)
                    {
                        case "uuid": p["format"] = "uuid"; p["pattern"] = Rfc4122; break;
                        case "email": p["format"] = "email"; break;
                        case "uri": p["format"] = "uri"; break;
                    }
                    break;
            }
            if (f.Constraints["enum"] is JsonArray values) p["enum"] = values.DeepClone();
            if (f.Constraints["pattern"] is JsonValue pattern) p["pattern"] = $"^(?:{(string)pattern!})$";
            foreach (var (from, to) in new[] { ("minLength", "minLength"), ("maxLength", "maxLength"), ("minimum", "minimum"), ("maximum", "maximum") })
                if (f.Constraints[from] is JsonValue v) p[to] = v.DeepClone();
            properties[f.Name] = p;
        }
        return new JsonObject
        {
            ["type"] = "object",
            ["properties"] = properties,
            ["required"] = new JsonArray(resource.Fields.Where(f => f.Required).Select(f => (JsonNode)f.Name).ToArray()),
            ["additionalProperties"] = false,
        };
    }

    /// <summary>A cell as the field's type reads it; a cell that is not of the type stays a string, so the type check fails.</summary>
    private static JsonNode Cast(Field field, string cell) => field.Type switch
    {
        "number" when decimal.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => JsonValue.Create(d),
        "integer" when long.TryParse(cell, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i) => JsonValue.Create(i),
        "boolean" when cell is "true" or "false" => JsonValue.Create(cell == "true"),
        _ => JsonValue.Create(cell),
    };

    private static (List<string> Header, List<(int Line, string[] Cells)> Rows) ReadCsv(string text)
    {
        using var parser = new TextFieldParser(new StringReader(text)) { HasFieldsEnclosedInQuotes = true, TrimWhiteSpace = false };
        parser.SetDelimiters(",");
        var header = parser.ReadFields()?.ToList() ?? [];
        var rows = new List<(int, string[])>();
        while (!parser.EndOfData)
        {
            var line = (int)parser.LineNumber;
            if (parser.ReadFields() is { } cells) rows.Add((line, cells));
        }
        return (header, rows);
    }
}
