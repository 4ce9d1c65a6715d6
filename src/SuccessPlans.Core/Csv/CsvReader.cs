namespace SuccessPlans.Csv;

/// <summary>
/// The CSV parser under <see cref="CsvFile"/>, readable record by record without a string per field: a field is a span
/// over a block of the file (or, for a quoted field, over a scratch buffer), valid until the next <see cref="Read"/>.
/// A year of daily attendance is millions of rows; the importer looks its fields up as spans and makes strings only for
/// the rows it keeps. Rules as <see cref="CsvFile"/> documents them; line numbers are those an editor shows.
/// </summary>
public sealed class CsvReader
{
    private const int BlockChars = 64 * 1024;
    private static readonly System.Buffers.SearchValues<char> Stops = System.Buffers.SearchValues.Create(",\r\n\"");

    private readonly TextReader _reader;
    private char[] _buffer = new char[BlockChars];
    private int _position;
    private int _end;
    private bool _eof;
    private int _line = 1;
    private bool _started;

    // The current record's fields: where each starts and how long it is; a negative start is an offset into _scratch + 1.
    private int[] _starts = new int[16];
    private int[] _lengths = new int[16];
    private int _count;
    private char[] _scratch = new char[256];
    private int _scratchLength;

    public string Name { get; }
    /// <summary>The line the current record starts on.</summary>
    public int Line { get; private set; }
    /// <summary>The number of fields of the current record.</summary>
    public int FieldCount => _count;

    public CsvReader(string name, TextReader reader)
    {
        Name = name;
        _reader = reader;
    }

    /// <summary>A field of the current record as written (quotes undone); empty past the record's last field.</summary>
    public ReadOnlySpan<char> Raw(int index)
    {
        if ((uint)index >= (uint)_count) return [];
        var start = _starts[index];
        return start >= 0 ? _buffer.AsSpan(start, _lengths[index]) : _scratch.AsSpan(-start - 1, _lengths[index]);
    }

    /// <summary>A field as importers read it: a formula-protecting quote undone (<see cref="CsvWriter.Unprotect(ReadOnlySpan{char})"/>), trimmed.</summary>
    public ReadOnlySpan<char> this[int index] => CsvWriter.Unprotect(Raw(index)).Trim();

    /// <summary>The current record's fields as strings (as written, quotes undone).</summary>
    public string[] Fields()
    {
        var fields = new string[_count];
        for (var i = 0; i < _count; i++) fields[i] = new string(Raw(i));
        return fields;
    }

    /// <summary>Whether the record is a blank line (one field of white space).</summary>
    public bool IsBlank => _count == 1 && Raw(0).IsWhiteSpace();

    /// <summary>Moves to the next record, blank lines included; false at the end of the file.</summary>
    public bool Read()
    {
        if (!_started)
        {
            _started = true;
            Fill();
            // A StreamReader drops the byte order mark itself; a string may still start with it.
            if (_position < _end && _buffer[_position] == '\uFEFF') _position++;
        }
        while (true)
        {
            var state = TryParseRecord(out var consumedTo, out var lines);
            if (state == Parse.NoRecord) return false;
            if (state == Parse.Record)
            {
                Line = _line;
                _line += lines;
                _position = consumedTo;
                return true;
            }
            // The record runs past the block: keep its start, read more (a bigger block if it fills one), parse again.
            More();
        }
    }

    private enum Parse { Record, NeedMore, NoRecord }

    /// <summary>Parses one record from _position, when all of it (and the character after a CR or a quote) is in the block.</summary>
    private Parse TryParseRecord(out int next, out int lines)
    {
        next = _position;
        lines = 0;
        if (_position >= _end && _eof) return Parse.NoRecord;
        _count = 0;
        _scratchLength = 0;
        var buffer = _buffer;
        var end = _end;
        var p = _position;
        while (true)
        {
            // An unquoted field, the common case: a slice of the block.
            var start = p;
            var stop = buffer.AsSpan(p, end - p).IndexOfAny(Stops);
            p = stop < 0 ? end : p + stop;
            if (p < end && buffer[p] == '"' && buffer.AsSpan(start, p - start).IsWhiteSpace())
            {
                // A quote after nothing but white space opens a quoted field (" x" is read as x, as spreadsheets do).
                var result = QuotedField(ref p, ref lines);
                if (result != Parse.Record) return result;
            }
            else if (p < end && buffer[p] == '"')
            {
                // A quote inside an unquoted field is kept as it is.
                var scratchStart = _scratchLength;
                AppendScratch(buffer.AsSpan(start, p - start));
                var result = UnquotedRest(ref p, scratchStart, out _);
                if (result != Parse.Record) return result;
            }
            else
            {
                Add(start, p - start);
            }
            if (p >= end)
            {
                if (!_eof) return Parse.NeedMore;
                // The last record, without a line end: kept unless it is one empty field.
                if (_count == 1 && _lengths[0] == 0) return Parse.NoRecord;
                next = p;
                return Parse.Record;
            }
            var d = buffer[p];
            if (d == ',') { p++; continue; }
            // A line end closes the record (CRLF is one).
            if (d == '\r')
            {
                if (p + 1 >= end && !_eof) return Parse.NeedMore;
                p += p + 1 < end && buffer[p + 1] == '\n' ? 2 : 1;
            }
            else p++;
            lines++;
            next = p;
            return Parse.Record;
        }
    }

    /// <summary>
    /// A quoted field from its opening quote (at p), and whatever follows its closing quote up to the next comma or line
    /// end (left at p). A loop, not recursion: a file of '"" ""' cannot run the stack out.
    /// </summary>
    private Parse QuotedField(ref int p, ref int lines)
    {
        var buffer = _buffer;
        var end = _end;
        var scratchStart = _scratchLength;
        while (true)
        {
            var quoteLine = _line + lines;
            p++; // the opening quote
            while (true)
            {
                if (p >= end)
                {
                    if (!_eof) return Parse.NeedMore;
                    throw new ImportFileException(Name, quoteLine, "a quoted field is never closed");
                }
                var c = buffer[p];
                if (c == '"')
                {
                    if (p + 1 >= end && !_eof) return Parse.NeedMore;
                    if (p + 1 < end && buffer[p + 1] == '"') { AppendScratch('"'); p += 2; continue; }
                    p++;
                    break;
                }
                if (c == '\n') lines++;
                AppendScratch(c);
                p++;
            }
            var result = UnquotedRest(ref p, scratchStart, out var reopen);
            if (!reopen) return result;
            // Only white space so far (an empty quoted field): the quote opens the field again.
            _scratchLength = scratchStart;
        }
    }

    /// <summary>The rest of a field kept in the scratch buffer, outside quotes: up to a comma or line end (left at p).</summary>
    private Parse UnquotedRest(ref int p, int scratchStart, out bool reopen)
    {
        reopen = false;
        var buffer = _buffer;
        var end = _end;
        while (p < end)
        {
            var c = buffer[p];
            if (c is ',' or '\r' or '\n') break;
            if (c == '"' && _scratch.AsSpan(scratchStart, _scratchLength - scratchStart).IsWhiteSpace())
            {
                reopen = true;
                return Parse.Record;
            }
            AppendScratch(c);
            p++;
        }
        if (p >= end && !_eof) return Parse.NeedMore;
        Add(-scratchStart - 1, _scratchLength - scratchStart);
        return Parse.Record;
    }

    private void Add(int start, int length)
    {
        if (_count == _starts.Length)
        {
            Array.Resize(ref _starts, _count * 2);
            Array.Resize(ref _lengths, _count * 2);
        }
        _starts[_count] = start;
        _lengths[_count] = length;
        _count++;
    }

    private void AppendScratch(char c)
    {
        if (_scratchLength == _scratch.Length) Array.Resize(ref _scratch, _scratch.Length * 2);
        _scratch[_scratchLength++] = c;
    }

    private void AppendScratch(ReadOnlySpan<char> chars)
    {
        while (_scratchLength + chars.Length > _scratch.Length) Array.Resize(ref _scratch, _scratch.Length * 2);
        chars.CopyTo(_scratch.AsSpan(_scratchLength));
        _scratchLength += chars.Length;
    }

    /// <summary>Moves the unread part to the front of the block (doubling it when the record fills it) and reads more.</summary>
    private void More()
    {
        var unread = _end - _position;
        if (_position == 0 && unread == _buffer.Length)
            Array.Resize(ref _buffer, _buffer.Length * 2);
        else if (_position > 0)
            Array.Copy(_buffer, _position, _buffer, 0, unread);
        _position = 0;
        _end = unread;
        Fill();
    }

    private void Fill()
    {
        while (!_eof && _end < _buffer.Length)
        {
            var read = _reader.Read(_buffer, _end, _buffer.Length - _end);
            if (read == 0) _eof = true;
            _end += read;
        }
    }
}
