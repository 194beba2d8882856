//! From physical lines to logical lines: `\` continuations, `#` comments, `${VAR}` expansion.

use crate::error::ParseError;
use crate::options::EnvLookup;
use crate::source::{LogicalLine, Pos, SourceText};

/// Whether pip treats the physical line as holding a comment: a `#` at the start of the line
/// or after whitespace. Such a line never continues, even when it ends with `\`.
fn has_comment(line: &str) -> bool {
    comment_start(line).is_some()
}

/// The byte offset of the `#` that starts a comment, if any.
fn comment_start(text: &str) -> Option<usize> {
    let mut previous: Option<char> = None;
    for (offset, character) in text.char_indices() {
        if character == '#' && previous.is_none_or(char::is_whitespace) {
            return Some(offset);
        }
        previous = Some(character);
    }
    None
}

/// Joins `lines` (the physical lines of `source`, or a subset of them) into logical lines.
///
/// Each item of `lines` is the line's text and the position of its first character.
pub(crate) fn join_lines(
    source: &SourceText<'_>,
    lines: &[(&str, Pos)],
) -> Result<Vec<LogicalLine>, ParseError> {
    let mut logical = Vec::new();
    let mut pending: Option<LogicalLine> = None;
    let mut last_backslash: Option<Pos> = None;
    for &(text, start) in lines {
        let continues = text.ends_with('\\') && !has_comment(text);
        let kept = if continues {
            &text[..text.len() - 1]
        } else {
            text
        };
        let mut line = pending.take().unwrap_or_else(|| LogicalLine::new(start));
        let mut column = start.column;
        for character in kept.chars() {
            line.push(
                character,
                Pos {
                    line: start.line,
                    column,
                },
            );
            column += 1;
        }
        line.end = Pos {
            line: start.line,
            column,
        };
        if continues {
            last_backslash = Some(Pos {
                line: start.line,
                column,
            });
            pending = Some(line);
        } else {
            logical.push(line);
        }
    }
    if pending.is_some() {
        let pos = last_backslash.unwrap_or(Pos { line: 1, column: 1 });
        return Err(source.error(
            pos,
            1,
            "expected another line after the `\\` continuation, found the end of the file",
        ));
    }
    Ok(logical)
}

/// Removes the comment from a logical line.
pub(crate) fn strip_comment(line: &mut LogicalLine) {
    if let Some(offset) = comment_start(&line.text) {
        let index = line.char_index(offset);
        line.end = line.pos_at_char(index);
        line.text.truncate(offset);
        line.positions.truncate(index);
    }
}

/// Expands `${NAME}` references (`NAME` made of `A-Z`, `0-9`, `_`, like pip); other `$` text is
/// kept. Expanded characters map to the position of the `$`.
pub(crate) fn expand_variables(
    source: &SourceText<'_>,
    line: LogicalLine,
    env: &EnvLookup,
) -> Result<LogicalLine, ParseError> {
    if !line.text.contains("${") {
        return Ok(line);
    }
    let mut expanded = LogicalLine::new(line.end);
    let characters: Vec<char> = line.text.chars().collect();
    let mut index = 0;
    while index < characters.len() {
        if let Some(length) = variable_at(&characters[index..]) {
            let name: String = characters[index + 2..index + length - 1].iter().collect();
            let pos = line.pos_at_char(index);
            let Some(value) = env.get(&name) else {
                return Err(source.error(
                    pos,
                    length,
                    format!("expected environment variable `{name}` to be set (referenced as `${{{name}}}`)"),
                ));
            };
            for character in value.chars() {
                expanded.push(character, pos);
            }
            index += length;
        } else {
            expanded.push(characters[index], line.pos_at_char(index));
            index += 1;
        }
    }
    Ok(expanded)
}

/// The length in characters of a `${NAME}` reference starting the slice.
fn variable_at(characters: &[char]) -> Option<usize> {
    if characters.first() != Some(&'$') || characters.get(1) != Some(&'{') {
        return None;
    }
    let name_length = characters[2..]
        .iter()
        .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || **c == '_')
        .count();
    (name_length > 0 && characters.get(2 + name_length) == Some(&'}')).then_some(name_length + 3)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn lines_of<'a>(source: &'a SourceText<'a>) -> Vec<(&'a str, Pos)> {
        source
            .lines
            .iter()
            .enumerate()
            .map(|(index, text)| {
                (
                    *text,
                    Pos {
                        line: index + 1,
                        column: 1,
                    },
                )
            })
            .collect()
    }

    #[test]
    fn comment_needs_start_or_whitespace() {
        assert_eq!(comment_start("# x"), Some(0));
        assert_eq!(comment_start("a #x"), Some(2));
        assert_eq!(comment_start("a @ https://x/y#egg=a"), None);
        assert_eq!(comment_start("a\t# x"), Some(2));
    }

    #[test]
    fn continuation_keeps_positions() {
        let source = SourceText::new("numpy \\\n  >=1.0\nscipy", Path::new("r.txt"));
        let lines = join_lines(&source, &lines_of(&source)).expect("joins");
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].text, "numpy   >=1.0");
        assert_eq!(lines[0].pos_at_char(8), Pos { line: 2, column: 3 });
        assert_eq!(lines[1].first_line(), 3);
    }

    #[test]
    fn comment_line_ending_in_backslash_does_not_continue() {
        let source = SourceText::new("# note \\\nnumpy", Path::new("r.txt"));
        let lines = join_lines(&source, &lines_of(&source)).expect("joins");
        assert_eq!(lines.len(), 2);
    }

    #[test]
    fn dangling_continuation_is_an_error() {
        let source = SourceText::new("numpy \\", Path::new("r.txt"));
        let error = join_lines(&source, &lines_of(&source)).expect_err("dangling");
        assert_eq!((error.line, error.column), (1, 7));
    }

    #[test]
    fn variables_expand_and_map_back() {
        let source = SourceText::new("x @ ${HOST}/a ${lower}", Path::new("r.txt"));
        let lines = join_lines(&source, &lines_of(&source)).expect("joins");
        let env: EnvLookup = [("HOST", "https://h")].into_iter().collect();
        let line = expand_variables(&source, lines[0].clone(), &env).expect("expands");
        assert_eq!(line.text, "x @ https://h/a ${lower}");
        assert_eq!(line.pos_at_char(6), Pos { line: 1, column: 5 });
        assert_eq!(
            line.pos_at_char(14),
            Pos {
                line: 1,
                column: 13
            }
        );
        let missing = expand_variables(
            &source,
            lines[0].clone(),
            &EnvLookup::Map(Default::default()),
        );
        assert!(missing.expect_err("undefined").expected.contains("`HOST`"));
    }
}
