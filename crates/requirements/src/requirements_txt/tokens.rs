//! Splitting a logical line into whitespace-separated tokens with their offsets.

/// A token and the byte offset where it starts in the logical line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token<'a> {
    pub(crate) text: &'a str,
    pub(crate) start: usize,
}

impl Token<'_> {
    /// The byte offset just past the token.
    pub(crate) fn end(&self) -> usize {
        self.start + self.text.len()
    }
}

/// The whitespace-separated tokens of `text`.
pub(crate) fn tokenize(text: &str) -> Vec<Token<'_>> {
    let mut tokens = Vec::new();
    let mut start = None;
    for (offset, character) in text.char_indices() {
        match (character.is_whitespace(), start) {
            (true, Some(begin)) => {
                tokens.push(Token {
                    text: &text[begin..offset],
                    start: begin,
                });
                start = None;
            }
            (false, None) => start = Some(offset),
            _ => {}
        }
    }
    if let Some(begin) = start {
        tokens.push(Token {
            text: &text[begin..],
            start: begin,
        });
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_point_into_the_line() {
        let tokens = tokenize("  a==1  --hash=x\t-r");
        let texts: Vec<_> = tokens
            .iter()
            .map(|token| (token.text, token.start))
            .collect();
        assert_eq!(texts, [("a==1", 2), ("--hash=x", 8), ("-r", 17)]);
    }
}
