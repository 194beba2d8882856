//! Single byte ranges (RFC 9110 §14), the way PyPI's CDN answers them.

/// What to send for a `Range` header on a body of `len` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RangeAnswer {
    /// `200 OK` with the whole body (no header, several ranges, or a unit we ignore).
    Whole,
    /// `206 Partial Content` with bytes `start..=end`.
    Partial { start: u64, end: u64 },
    /// `416 Range Not Satisfiable`.
    Unsatisfiable,
}

/// Interprets a `Range` header. A suffix longer than the body is the whole body as 206.
pub(crate) fn answer(header: Option<&str>, len: u64) -> RangeAnswer {
    let Some(spec) = header.and_then(|value| value.trim().strip_prefix("bytes=")) else {
        return RangeAnswer::Whole;
    };
    if spec.contains(',') {
        return RangeAnswer::Whole;
    }
    let Some((first, last)) = spec.split_once('-') else {
        return RangeAnswer::Whole;
    };
    let (first, last) = (first.trim(), last.trim());
    if len == 0 {
        return RangeAnswer::Unsatisfiable;
    }
    if first.is_empty() {
        let Ok(suffix) = last.parse::<u64>() else {
            return RangeAnswer::Whole;
        };
        if suffix == 0 {
            return RangeAnswer::Unsatisfiable;
        }
        return RangeAnswer::Partial {
            start: len.saturating_sub(suffix),
            end: len - 1,
        };
    }
    let Ok(start) = first.parse::<u64>() else {
        return RangeAnswer::Whole;
    };
    if start >= len {
        return RangeAnswer::Unsatisfiable;
    }
    let end = if last.is_empty() {
        len - 1
    } else {
        match last.parse::<u64>() {
            Ok(end) if end >= start => end.min(len - 1),
            _ => return RangeAnswer::Whole,
        }
    };
    RangeAnswer::Partial { start, end }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_rfc_9110() {
        assert_eq!(answer(None, 10), RangeAnswer::Whole);
        assert_eq!(
            answer(Some("bytes=2-4"), 10),
            RangeAnswer::Partial { start: 2, end: 4 }
        );
        assert_eq!(
            answer(Some("bytes=5-"), 10),
            RangeAnswer::Partial { start: 5, end: 9 }
        );
        assert_eq!(
            answer(Some("bytes=-3"), 10),
            RangeAnswer::Partial { start: 7, end: 9 }
        );
        assert_eq!(
            answer(Some("bytes=-30"), 10),
            RangeAnswer::Partial { start: 0, end: 9 }
        );
        assert_eq!(
            answer(Some("bytes=8-20"), 10),
            RangeAnswer::Partial { start: 8, end: 9 }
        );
        assert_eq!(answer(Some("bytes=10-"), 10), RangeAnswer::Unsatisfiable);
        assert_eq!(answer(Some("bytes=0-1,4-5"), 10), RangeAnswer::Whole);
    }
}
