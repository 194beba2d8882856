//! An input file's text with its physical lines, and positions that map back into it.

use std::path::{Path, PathBuf};

use crate::error::ParseError;

/// A 1-based line and column (in characters) of a physical line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pos {
    pub(crate) line: usize,
    pub(crate) column: usize,
}

/// The text of one file, split into physical lines for error messages.
#[derive(Debug)]
pub(crate) struct SourceText<'a> {
    pub(crate) path: PathBuf,
    pub(crate) text: &'a str,
    pub(crate) lines: Vec<&'a str>,
}

impl<'a> SourceText<'a> {
    pub(crate) fn new(text: &'a str, path: &Path) -> Self {
        let mut lines: Vec<&str> = text
            .split('\n')
            .map(|line| line.strip_suffix('\r').unwrap_or(line))
            .collect();
        // A final line ending ends the last line; it does not start an empty one.
        if text.ends_with('\n') {
            lines.pop();
        }
        Self {
            path: path.to_path_buf(),
            text,
            lines,
        }
    }

    /// The position of a byte offset into the whole text (clamped to the text).
    pub(crate) fn pos_of_byte(&self, offset: usize) -> Pos {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &self.text[..offset];
        let line_start = before.rfind('\n').map_or(0, |index| index + 1);
        Pos {
            line: before.matches('\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
        }
    }

    /// A TOML deserialisation error at its span, as `{what}: {message}`.
    pub(crate) fn toml_error(&self, error: &toml::de::Error, what: &str) -> ParseError {
        let span = error.span().unwrap_or(0..0);
        let message = error.message().trim().replace('\n', " ");
        self.error(
            self.pos_of_byte(span.start),
            span.len(),
            format!("{what}: {message}"),
        )
    }

    /// An error at `pos`, underlining `span_len` characters (clamped to the physical line).
    pub(crate) fn error(
        &self,
        pos: Pos,
        span_len: usize,
        expected: impl Into<String>,
    ) -> ParseError {
        let text = self
            .lines
            .get(pos.line.saturating_sub(1))
            .copied()
            .unwrap_or_default();
        // Positions past the end of the line (an entry that could not be found verbatim) are
        // clamped to just after its last character.
        let width = text.chars().count();
        let column = pos.column.clamp(1, width + 1);
        let remaining = width.saturating_sub(column - 1);
        ParseError {
            path: self.path.clone(),
            line: pos.line,
            column,
            text: text.to_string(),
            span_len: span_len.min(remaining).max(1),
            expected: expected.into(),
        }
    }
}

/// A logical line: physical lines joined at `\` continuations, comments removed and `${VAR}`
/// expanded, with each character's position in the file.
#[derive(Debug, Clone)]
pub(crate) struct LogicalLine {
    pub(crate) text: String,
    /// One position per character of `text`.
    pub(crate) positions: Vec<Pos>,
    /// The position just past the last character.
    pub(crate) end: Pos,
}

impl LogicalLine {
    pub(crate) fn new(end: Pos) -> Self {
        Self {
            text: String::new(),
            positions: Vec::new(),
            end,
        }
    }

    pub(crate) fn push(&mut self, character: char, pos: Pos) {
        self.text.push(character);
        self.positions.push(pos);
    }

    /// The line the logical line starts on.
    pub(crate) fn first_line(&self) -> usize {
        self.positions.first().unwrap_or(&self.end).line
    }

    /// The position of the `index`th character.
    pub(crate) fn pos_at_char(&self, index: usize) -> Pos {
        self.positions.get(index).copied().unwrap_or(self.end)
    }

    /// The character index of byte offset `offset` (rounded down to a character boundary).
    pub(crate) fn char_index(&self, offset: usize) -> usize {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        self.text[..offset].chars().count()
    }

    /// An error underlining the bytes `start..start + len` of `text`.
    pub(crate) fn error(
        &self,
        source: &SourceText<'_>,
        start: usize,
        len: usize,
        expected: impl Into<String>,
    ) -> ParseError {
        let first = self.char_index(start);
        let last = self.char_index(start.saturating_add(len));
        let pos = self.pos_at_char(first);
        // Count only the characters that sit on the same physical line, consecutively.
        let mut span = 0;
        for index in first..last {
            let here = self.pos_at_char(index);
            if here.line != pos.line || here.column != pos.column + span {
                break;
            }
            span += 1;
        }
        source.error(pos, span, expected)
    }
}

/// The text of a file's bytes: UTF-8 with an optional byte-order mark, or UTF-16 with one
/// (what `pip freeze > requirements.txt` writes in Windows PowerShell 5). Invalid text is a
/// [`ParseError`] at the first bad byte or code unit.
pub(crate) fn decode(bytes: &[u8], path: &Path) -> Result<String, ParseError> {
    if let Some((body, little_endian)) = bytes
        .strip_prefix(b"\xFF\xFE")
        .map(|body| (body, true))
        .or_else(|| bytes.strip_prefix(b"\xFE\xFF").map(|body| (body, false)))
    {
        return decode_utf16(body, little_endian, path);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_string()),
        Err(error) => {
            let valid = error.valid_up_to();
            let lossy = String::from_utf8_lossy(bytes);
            let source = SourceText::new(&lossy, path);
            // The valid prefix is identical in the lossy text, so positions agree.
            let pos = source.pos_of_byte(valid);
            let found = bytes
                .get(valid)
                .map(|byte| format!("0x{byte:02x}"))
                .unwrap_or_default();
            Err(source.error(
                pos,
                1,
                format!("expected UTF-8 text, found the byte `{found}`"),
            ))
        }
    }
}

/// UTF-16 text after its byte-order mark; an unpaired surrogate or an odd last byte is an
/// error where the text decoded so far ends.
fn decode_utf16(body: &[u8], little_endian: bool, path: &Path) -> Result<String, ParseError> {
    let pairs = body.chunks_exact(2);
    let odd_byte = !pairs.remainder().is_empty();
    let units = pairs.map(|pair| match little_endian {
        true => u16::from_le_bytes([pair[0], pair[1]]),
        false => u16::from_be_bytes([pair[0], pair[1]]),
    });
    let mut text = String::with_capacity(body.len() / 2);
    for decoded in char::decode_utf16(units) {
        match decoded {
            Ok(character) => text.push(character),
            Err(_) => return Err(utf16_error(&text, path, "an unpaired surrogate")),
        }
    }
    if odd_byte {
        return Err(utf16_error(&text, path, "an odd last byte"));
    }
    Ok(text)
}

fn utf16_error(decoded: &str, path: &Path, found: &str) -> ParseError {
    let source = SourceText::new(decoded, path);
    source.error(
        source.pos_of_byte(decoded.len()),
        1,
        format!("expected UTF-16 text after its byte-order mark, found {found}"),
    )
}
